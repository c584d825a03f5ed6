import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { MEDIA_PREFIX } from '../../contracts/media-keys';
import type { Progress } from '../lib/progress';
import { MD5_METADATA } from '../photos-to-s3/copy-photos';
import { md5Of } from '../photos-to-s3/local-files';

export interface CopyPhotosFromS3Options {
  readonly bucket: string;
  readonly dataDir: string;
  readonly client: S3Client;
  readonly progress: Progress;
  /** Files downloaded at once. @default 8 */
  readonly concurrency?: number;
  /** List what would be downloaded, download nothing. @default false */
  readonly dryRun?: boolean;
}

export interface CopyPhotosFromS3Result {
  readonly objects: number;
  /** Downloaded (or, in a dry run, to download). */
  readonly downloaded: number;
  /** Already under DATA_DIR with the same size and MD5 (an earlier run, or never uploaded since photos-to-s3). */
  readonly skipped: number;
  readonly bytesDownloaded: number;
}

interface BucketPhoto {
  readonly key: string;
  readonly size: number;
  /** The ETag without quotes: an MD5 (hex) for a single-part upload under S3-managed keys. */
  readonly etag: string;
}

async function listBucketPhotos(client: S3Client, bucket: string): Promise<BucketPhoto[]> {
  const photos: BucketPhoto[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: MEDIA_PREFIX, ContinuationToken: token }));
    for (const object of page.Contents ?? []) {
      if (object.Key!.endsWith('/')) continue;
      photos.push({ key: object.Key!, size: object.Size ?? 0, etag: (object.ETag ?? '').replace(/"/g, '') });
    }
    token = page.NextContinuationToken;
  } while (token);
  return photos.sort((a, b) => a.key.localeCompare(b.key));
}

/** The file a key goes to under DATA_DIR (the API uses the same keys locally and in S3); a key that would leave it is refused. */
function localPath(dataDir: string, key: string): string {
  const path = normalize(join(dataDir, key));
  if (!path.startsWith(normalize(join(dataDir, MEDIA_PREFIX, sep)))) {
    throw new Error(`object key ${key} is outside ${MEDIA_PREFIX}`);
  }
  return path;
}

/** Whether the file under DATA_DIR already holds the object: same size, and same MD5 (from the ETag, else the source-md5 metadata photos-to-s3 writes). */
async function alreadyThere(client: S3Client, bucket: string, photo: BucketPhoto, path: string): Promise<boolean> {
  const local = await stat(path).catch(() => undefined);
  if (!local?.isFile() || local.size !== photo.size) return false;
  const md5 = await md5Of(path);
  if (/^[0-9a-f]{32}$/.test(photo.etag)) return Buffer.from(md5, 'base64').toString('hex') === photo.etag;
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: photo.key }));
  return head.Metadata?.[MD5_METADATA] === md5;
}

/**
 * Copies every photo file of the uploads bucket (`media/`, originals and thumbnails) to the same
 * path under DATA_DIR: the counterpart of photos-to-s3, for going back from the bucket to a data
 * volume. Idempotent: a file already there with the same size and MD5 is skipped, so an
 * interrupted run is simply run again; each download is written beside its target and renamed
 * into place, so a cut run leaves no half-written photo under its name.
 */
export async function copyPhotosFromS3(options: CopyPhotosFromS3Options): Promise<CopyPhotosFromS3Result> {
  const photos = await listBucketPhotos(options.client, options.bucket);
  const totalBytes = photos.reduce((sum, p) => sum + p.size, 0);
  options.progress.log(`photos-from-s3: ${photos.length} objects (${(totalBytes / 1024 / 1024).toFixed(1)} MiB) under s3://${options.bucket}/${MEDIA_PREFIX} → ${options.dataDir}/media`);
  let downloaded = 0;
  let skipped = 0;
  let bytesDownloaded = 0;
  options.progress.start('photos', photos.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < photos.length) {
      const photo = photos[next++];
      const path = localPath(options.dataDir, photo.key);
      if (await alreadyThere(options.client, options.bucket, photo, path)) {
        skipped++;
      } else {
        if (!options.dryRun) {
          await mkdir(dirname(path), { recursive: true });
          const temporary = `${path}.${randomBytes(6).toString('hex')}.download`;
          try {
            const object = await options.client.send(new GetObjectCommand({ Bucket: options.bucket, Key: photo.key }));
            await pipeline(object.Body as Readable, createWriteStream(temporary, { mode: 0o644 }));
            const written = (await stat(temporary)).size;
            if (written !== photo.size) throw new Error(`${photo.key}: ${written} bytes written, the bucket lists ${photo.size}`);
            await rename(temporary, path);
          } finally {
            await rm(temporary, { force: true });
          }
        }
        downloaded++;
        bytesDownloaded += photo.size;
      }
      options.progress.increment(1);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  } finally {
    options.progress.stop();
  }
  return { objects: photos.length, downloaded, skipped, bytesDownloaded };
}
