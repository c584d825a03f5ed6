import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Progress } from '../lib/progress';
import { contentTypeOf, listPhotos, md5Of, type LocalPhoto } from './local-files';

export interface CopyPhotosOptions {
  readonly dataDir: string;
  readonly bucket: string;
  readonly client: S3Client;
  readonly progress: Progress;
  /** Files uploaded at once. @default 8 */
  readonly concurrency?: number;
  /** List what would be uploaded, upload nothing. @default false */
  readonly dryRun?: boolean;
}

export interface CopyPhotosResult {
  readonly files: number;
  /** Uploaded (or, in a dry run, to upload). */
  readonly uploaded: number;
  /** Already in the bucket with the same size and MD5 (an earlier run). */
  readonly skipped: number;
  readonly bytesUploaded: number;
}

/** Our own checksum (base64 MD5) in the object's metadata: S3's ETag is not an MD5 under SSE-KMS or multipart. */
export const MD5_METADATA = 'source-md5';

async function alreadyThere(client: S3Client, bucket: string, photo: LocalPhoto, md5: string): Promise<boolean> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: photo.key }));
    return head.ContentLength === photo.size && head.Metadata?.[MD5_METADATA] === md5;
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

async function firstBytes(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(12);
    const { bytesRead } = await file.read(buffer, 0, 12, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Copies the photo files under DATA_DIR to the uploads bucket under the same
 * keys. Idempotent: a file already in the bucket with the same size and MD5
 * is skipped, so an interrupted run is simply run again. S3 checks each
 * upload against its Content-MD5, so a corrupted transfer fails loudly.
 */
export async function copyPhotos(options: CopyPhotosOptions): Promise<CopyPhotosResult> {
  const photos = await listPhotos(options.dataDir);
  const totalBytes = photos.reduce((sum, p) => sum + p.size, 0);
  options.progress.log(`photos-to-s3: ${photos.length} files (${(totalBytes / 1024 / 1024).toFixed(1)} MiB) under ${options.dataDir}/media → s3://${options.bucket}/`);
  let uploaded = 0;
  let skipped = 0;
  let bytesUploaded = 0;
  options.progress.start('photos', photos.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < photos.length) {
      const photo = photos[next++];
      const md5 = await md5Of(photo.path);
      if (await alreadyThere(options.client, options.bucket, photo, md5)) {
        skipped++;
      } else {
        if (!options.dryRun) {
          await options.client.send(
            new PutObjectCommand({
              Bucket: options.bucket,
              Key: photo.key,
              Body: createReadStream(photo.path),
              ContentLength: photo.size,
              ContentMD5: md5,
              ContentType: contentTypeOf(await firstBytes(photo.path)),
              Metadata: { [MD5_METADATA]: md5 },
            }),
          );
        }
        uploaded++;
        bytesUploaded += photo.size;
      }
      options.progress.increment(1);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  } finally {
    options.progress.stop();
  }
  return { files: photos.length, uploaded, skipped, bytesUploaded };
}
