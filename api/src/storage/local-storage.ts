import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { TooLargeError, type PhotoStorage, type StagedUpload, type StoredObject } from './photo-storage';

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

  /**
   * Uploads in progress, one `.part` file each, in one directory (so a sweep
   * reads one directory, not every user's) on the same file system as the
   * photos (so `commit` is an atomic rename: a reader never sees half a file).
   */
  private get incoming(): string {
    return join(this.root, 'media', '.incoming');
  }

  async stage(key: string, body: Readable, _contentType: string, _size: number, maxBytes: number): Promise<StagedUpload> {
    const target = this.path(key);
    await mkdir(this.incoming, { recursive: true });
    const temp = join(this.incoming, `${randomBytes(8).toString('hex')}.part`);
    try {
      await pipeline(body, sizeGuard(maxBytes), createWriteStream(temp, { mode: 0o640 }));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return {
      commit: async () => {
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
      },
      // Only the part file: after a commit the target is the photo's, whatever happens next.
      discard: () => rm(temp, { force: true }),
      abandon: () => rm(temp, { force: true }),
    };
  }

  async sweepIncomplete(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let names: string[];
    try {
      names = await readdir(this.incoming);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names.filter((n) => n.endsWith('.part'))) {
      const file = join(this.incoming, name);
      // A live upload writes its file continuously; one untouched this long belongs to no running request.
      const info = await stat(file).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
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
