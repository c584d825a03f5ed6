import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { TooLargeError, type PhotoStorage, type StoredObject } from './photo-storage';

/** Counts bytes and fails the stream once they pass `maxBytes`. */
export function sizeGuard(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new TooLargeError(maxBytes));
      else callback(null, chunk);
    },
  });
}

/** Photo files on the instance's disk (stages 1 to 100), under `<DATA_DIR>/media/…`. */
export class LocalStorage implements PhotoStorage {
  readonly mode = 'local' as const;
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = resolve(dataDir);
  }

  private path(key: string): string {
    const path = resolve(join(this.root, key));
    // Keys are built from validated IDs; this guards against any future misuse.
    if (!path.startsWith(this.root + sep)) throw new Error('storage key escapes the data directory');
    return path;
  }

  async put(key: string, body: Readable, _contentType: string, _size: number, maxBytes: number): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    // Write beside the target and rename: a reader never sees half a file.
    const temp = `${target}.${randomBytes(6).toString('hex')}.part`;
    try {
      await pipeline(body, sizeGuard(maxBytes), createWriteStream(temp, { mode: 0o640 }));
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const size = await this.head(key);
    if (size === undefined) return undefined;
    return { body: createReadStream(this.path(key)), size };
  }

  async head(key: string): Promise<number | undefined> {
    try {
      const info = await stat(this.path(key));
      return info.isFile() ? info.size : undefined;
    } catch {
      return undefined;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
