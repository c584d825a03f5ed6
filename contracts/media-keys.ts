/**
 * The uploads bucket's key layout (docs/configuration.md):
 *
 *   media/originals/<userId>/<photoId>   the bytes a browser or the API uploaded
 *   media/thumbnails/<userId>/<photoId>  the JPEG thumbnail the thumbnail function writes
 *
 * The same keys name files under DATA_DIR on stages 1 to 100. The API writes
 * and serves originals (api/src/storage), the thumbnail function reads them and
 * writes thumbnails (lambda/thumbnails), the stacks grant each only its prefix
 * and fire the function only under ORIGINALS_PREFIX (lib/constructs/media), and
 * tools/photos-to-s3 and photos-from-s3 copy everything under MEDIA_PREFIX.
 * Thumbnails live under another prefix, so a thumbnail can never trigger the
 * function again; `thumbnailKeyFor` checks the prefix too, as a second guard
 * against a loop. Imports nothing.
 */

/** Everything the app stores in the bucket (and under DATA_DIR) is under this prefix. */
export const MEDIA_PREFIX = 'media/';
export const ORIGINALS_PREFIX = `${MEDIA_PREFIX}originals/`;
export const THUMBNAILS_PREFIX = `${MEDIA_PREFIX}thumbnails/`;

/** Where a photo's uploaded bytes live. */
export const originalKey = (userId: string, photoId: string): string => `${ORIGINALS_PREFIX}${userId}/${photoId}`;

/** Where a photo's thumbnail lives. */
export const thumbnailKey = (userId: string, photoId: string): string => `${THUMBNAILS_PREFIX}${userId}/${photoId}`;

/** The thumbnail key for an original's key, or undefined if the key is not an original. */
export function thumbnailKeyFor(originalKey: string): string | undefined {
  if (!originalKey.startsWith(ORIGINALS_PREFIX)) return undefined;
  const rest = originalKey.slice(ORIGINALS_PREFIX.length);
  if (rest === '' || rest.endsWith('/')) return undefined;
  return THUMBNAILS_PREFIX + rest;
}

/**
 * The photo ID of an original's key, `media/originals/<userId>/<photoId>`,
 * or undefined when the key is not one the API wrote.
 */
export function photoIdOfOriginal(key: string): string | undefined {
  if (!key.startsWith(ORIGINALS_PREFIX)) return undefined;
  const match = /^([1-9]\d{0,19})\/([1-9]\d{0,19})$/.exec(key.slice(ORIGINALS_PREFIX.length));
  return match ? match[2] : undefined;
}
