import type { Readable } from 'node:stream';

/** How and where a client sends a photo's bytes (the `upload` object of `POST /api/photos`). */
export interface UploadInstructions {
  readonly method: 'PUT' | 'POST';
  readonly url: string;
  readonly fields?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

export interface StoredObject {
  readonly body: Readable;
  readonly size?: number;
}

/** Bytes received for a key but not yet its content. */
export interface StagedUpload {
  /** Makes them the key's content (local: a rename into place). */
  commit(): Promise<void>;
  /**
   * Removes them: called only when the photo is gone (its key then belongs to
   * no one).
   */
  discard(): Promise<void>;
  /**
   * The upload will not finish (its photo could not be made ready): frees
   * what only this upload holds (local: its part file; S3: nothing, the key
   * may already be the photo's content if the database committed).
   */
  abandon(): Promise<void>;
}

/** A stored upload went over the size the client declared. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`upload is larger than the declared ${limit} bytes`);
  }
}

/**
 * Where photo bytes live. Keys follow the media key layout the thumbnail
 * function shares (contracts/media-keys.ts): `media/originals/<userId>/<photoId>`.
 */
export interface PhotoStorage {
  /** `local`: files under DATA_DIR; `proxy`: S3 through the API; `presigned`: browsers POST straight to S3. */
  readonly mode: 'local' | 'proxy' | 'presigned';
  /**
   * Receives bytes streamed through the API (local and proxy) for `key`;
   * rejects with TooLargeError past `maxBytes`, leaving nothing behind. The
   * bytes become the photo's only through `commit()`, which the upload route
   * calls under the photo's row lock, so an upload that lost a race with a
   * delete calls `discard()` instead.
   */
  stage(key: string, body: Readable, contentType: string, size: number, maxBytes: number): Promise<StagedUpload>;
  /**
   * Removes what uploads of a killed process left (local part files older
   * than `olderThanMs`, which no live request can still be writing); returns how many.
   */
  sweepIncomplete?(olderThanMs: number): Promise<number>;
  /** Undefined when the object does not exist. */
  get(key: string): Promise<StoredObject | undefined>;
  /** The stored size, or undefined when the object does not exist. */
  head(key: string): Promise<number | undefined>;
  delete(key: string): Promise<void>;
  /** Presigned mode only: an S3 POST policy for exactly this key, type and size. */
  presignUpload?(key: string, contentType: string, size: number): Promise<UploadInstructions>;
}
