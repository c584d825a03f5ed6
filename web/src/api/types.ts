/** Shapes from /work/shared/api-contract.md (IDs are decimal strings). */

export interface User {
  readonly id: string;
  readonly username: string;
  readonly createdAt: string;
  readonly photoCount: number;
  readonly followerCount: number;
  readonly followingCount: number;
  /** Not in the contract; used when an API sends it (otherwise the client remembers). */
  readonly followedByMe?: boolean;
}

export interface Photo {
  readonly id: string;
  readonly userId: string;
  readonly caption: string;
  readonly contentType: string;
  readonly url: string;
  readonly createdAt: string;
  readonly likeCount: number;
  readonly status: 'pending' | 'ready';
  /** Not in the contract; used when an API sends it (otherwise the client remembers). */
  readonly likedByMe?: boolean;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface Session {
  readonly token: string;
  readonly userId: string;
}

/** Where and how to send a photo's bytes (`POST /api/photos` answer). */
export interface UploadTarget {
  readonly method: string;
  readonly url: string;
  /** Presigned S3 POST form fields, sent before the file as multipart form data. */
  readonly fields?: Readonly<Record<string, string>>;
  /** Headers for a PUT of the raw bytes. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface CreatedPhoto {
  readonly photo: Photo;
  readonly upload: UploadTarget;
}

export const ACCEPTED_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const MAX_PHOTO_BYTES = 10_485_760;
export const MAX_CAPTION_CHARS = 2200;
