import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** A photo file under DATA_DIR and the bucket key it goes to. */
export interface LocalPhoto {
  readonly path: string;
  /** The path relative to DATA_DIR with '/' separators: the API uses the same keys locally and in S3. */
  readonly key: string;
  readonly size: number;
}

/**
 * Every photo file under `<dataDir>/media/` (originals and thumbnails).
 * Half-written uploads (`*.part`, renamed into place when complete) are skipped.
 */
export async function listPhotos(dataDir: string): Promise<LocalPhoto[]> {
  const root = join(dataDir, 'media');
  const found: LocalPhoto[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && !entry.name.endsWith('.part')) {
        found.push({ path, key: relative(dataDir, path).split(sep).join('/'), size: (await stat(path)).size });
      }
    }
  }
  await walk(root);
  return found.sort((a, b) => a.key.localeCompare(b.key));
}

export async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(path), hash);
  return hash.digest('base64');
}

/** The image type from the file's first bytes (the API accepts JPEG, PNG and WebP). */
export function contentTypeOf(head: Buffer): string {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.length >= 12 && head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}
