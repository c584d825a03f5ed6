import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PhotoRow } from '../repositories/photos-repository';
import { originalKey } from '../storage/photo-storage';

export interface PhotoView {
  readonly id: string;
  readonly userId: string;
  readonly caption: string;
  readonly contentType: string;
  readonly url: string;
  readonly createdAt: string;
  readonly likeCount: number;
  readonly status: 'pending' | 'ready';
}

/**
 * A presigned POST lives 10 minutes; a photo still pending well after that
 * will never get bytes, so it is not worth an S3 HEAD on every read.
 */
const READY_CHECK_WINDOW_MS = 15 * 60 * 1000;

/**
 * Where a client fetches the image: the CDN (`MEDIA_BASE_URL` + key) where
 * there is one, else the API's own content route on the origin the client used.
 */
export function photoUrl(app: FastifyInstance, request: FastifyRequest, photo: PhotoRow): string {
  const base = app.config.mediaBaseUrl;
  if (base) return `${base}${originalKey(photo.userId, photo.id)}`;
  return `${apiOrigin(app, request)}/api/photos/${photo.id}/content`;
}

/** The API's public origin: PUBLIC_API_URL when set, else the origin this request came to. */
export function apiOrigin(app: FastifyInstance, request: FastifyRequest): string {
  return app.config.publicApiUrl ?? `${request.protocol}://${request.host}`;
}

export function photoView(app: FastifyInstance, request: FastifyRequest, photo: PhotoRow): PhotoView {
  return {
    id: photo.id,
    userId: photo.userId,
    caption: photo.caption,
    contentType: photo.contentType,
    url: photoUrl(app, request, photo),
    createdAt: photo.createdAt,
    likeCount: photo.likeCount,
    status: photo.status,
  };
}

/**
 * Presigned uploads bypass the API, so the API learns that bytes arrived by
 * looking: a pending photo whose object now exists in S3 is marked ready the
 * first time it is read (decision recorded in docs/api.md; the thumbnail
 * Lambda has no database access). Local and proxy uploads are marked ready by
 * the upload route itself.
 */
export async function refreshPending(app: FastifyInstance, photos: readonly PhotoRow[]): Promise<PhotoRow[]> {
  if (app.storage.mode !== 'presigned') return [...photos];
  const now = Date.now();
  return Promise.all(
    photos.map(async (photo) => {
      if (photo.status !== 'pending' || now - Date.parse(photo.createdAt) > READY_CHECK_WINDOW_MS) return photo;
      const size = await app.storage.head(originalKey(photo.userId, photo.id)).catch(() => undefined);
      if (size === undefined) return photo;
      await app.photos.markReady(photo.id);
      return { ...photo, status: 'ready' as const };
    }),
  );
}
