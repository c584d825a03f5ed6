import { thumbnailKeyFor } from '../../contracts/media-keys';
import { DECODABLE_TYPES, makeThumbnail, UndecodableImageError } from './make-thumbnail';
import type { ObjectStore } from './object-store';

export interface ThumbnailSettings {
  readonly maxWidthPx: number;
  /** Originals larger than this are skipped (the presigned POST already limits size). */
  readonly maxSourceBytes: number;
}

/** What happened to one uploaded object; the handler logs it. */
export type UploadOutcome =
  | { readonly status: 'written'; readonly key: string; readonly thumbnailKey: string; readonly width: number; readonly height: number }
  | { readonly status: 'skipped'; readonly key: string; readonly reason: string };

/**
 * Makes the thumbnail of one uploaded original. An original that S3
 * replication copied here from the other region (10m) is skipped: the region
 * that took the upload made its thumbnail, which replicates too, so each
 * photo is decoded once. Input that can never succeed
 * (wrong prefix, too large, a type jimp cannot decode, corrupt bytes) is
 * skipped, not thrown, so Lambda does not retry it; S3 errors are thrown so the
 * asynchronous invocation is retried and finally lands in the failure queue.
 */
export async function processUpload(store: ObjectStore, bucket: string, key: string, settings: ThumbnailSettings): Promise<UploadOutcome> {
  const thumbnailKey = thumbnailKeyFor(key);
  if (!thumbnailKey) return { status: 'skipped', key, reason: 'not under the originals prefix' };
  if ((await store.replicationStatus(bucket, key)) === 'REPLICA') {
    return { status: 'skipped', key, reason: 'a replica from the other region, whose thumbnail function made its thumbnail' };
  }
  const original = await store.get(bucket, key);
  if (original.body.byteLength > settings.maxSourceBytes) {
    return { status: 'skipped', key, reason: `original is ${original.body.byteLength} bytes, above ${settings.maxSourceBytes}` };
  }
  if (original.contentType && !DECODABLE_TYPES.includes(original.contentType)) {
    return { status: 'skipped', key, reason: `content type ${original.contentType} is not decodable by jimp` };
  }
  let thumbnail;
  try {
    thumbnail = await makeThumbnail(original.body, settings.maxWidthPx);
  } catch (error) {
    if (error instanceof UndecodableImageError) return { status: 'skipped', key, reason: error.message };
    throw error;
  }
  await store.put(bucket, thumbnailKey, thumbnail.body, thumbnail.contentType, {
    'source-key': key,
    width: String(thumbnail.width),
    height: String(thumbnail.height),
  });
  return { status: 'written', key, thumbnailKey, width: thumbnail.width, height: thumbnail.height };
}
