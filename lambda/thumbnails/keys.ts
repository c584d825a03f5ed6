/**
 * The uploads bucket's key scheme (see docs/configuration.md):
 *
 *   media/originals/<userId>/<photoId>   the bytes a browser or the API uploaded
 *   media/thumbnails/<userId>/<photoId>  the JPEG thumbnail this function writes
 *
 * The S3 notification only fires under ORIGINALS_PREFIX and thumbnails are written
 * under THUMBNAILS_PREFIX, so a thumbnail can never trigger the function again.
 * `thumbnailKeyFor` checks the prefix too, as a second guard against a loop.
 */
export const ORIGINALS_PREFIX = 'media/originals/';
export const THUMBNAILS_PREFIX = 'media/thumbnails/';

/** The thumbnail key for an original's key, or undefined if the key is not an original. */
export function thumbnailKeyFor(originalKey: string): string | undefined {
  if (!originalKey.startsWith(ORIGINALS_PREFIX)) return undefined;
  const rest = originalKey.slice(ORIGINALS_PREFIX.length);
  if (rest === '' || rest.endsWith('/')) return undefined;
  return THUMBNAILS_PREFIX + rest;
}

/** S3 event keys are URL-encoded with `+` for spaces. */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
