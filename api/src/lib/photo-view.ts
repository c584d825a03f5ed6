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
  /** Present on authenticated requests: whether the viewer likes it (so every device shows the truth). */
  readonly likedByMe?: boolean;
}

/**
 * A presigned POST lives 10 minutes; a photo still pending well after that
 * will never get bytes, so it is not worth an S3 HEAD on every read.
 */
const READY_CHECK_WINDOW_MS = 15 * 60 * 1000;

/**
 * Where a client fetches the image: the CDN (`MEDIA_BASE_URL` + key) where
 * there is one, else the API's own content route (root-relative unless PUBLIC_API_URL is set).
 */
export function photoUrl(app: FastifyInstance, request: FastifyRequest, photo: PhotoRow): string {
  const base = app.config.mediaBaseUrl;
  if (base) return `${base}${originalKey(photo.userId, photo.id)}`;
  return `${apiOrigin(app, request)}/api/photos/${photo.id}/content`;
}

/**
 * Prefix of the API's own links: PUBLIC_API_URL when set, else nothing (links
 * are root-relative). Behind CloudFront (100 and up) `/api/*` reaches the API
 * with the origin's Host, not the site's, so an absolute URL built from the
 * request would point browsers at the wrong origin; a root-relative one
 * resolves against whatever origin the client used to reach the API.
 */
export function apiOrigin(app: FastifyInstance, _request?: FastifyRequest): string {
  return app.config.publicApiUrl ?? '';
}

/** `likedByMe`: true/false for an authenticated viewer, left out for an anonymous one. */
export function photoView(app: FastifyInstance, request: FastifyRequest, photo: PhotoRow, likedByMe?: boolean): PhotoView {
  return {
    id: photo.id,
    userId: photo.userId,
    caption: photo.caption,
    contentType: photo.contentType,
    url: photoUrl(app, request, photo),
    createdAt: photo.createdAt,
    likeCount: photo.likeCount,
    status: photo.status,
    ...(likedByMe === undefined ? {} : { likedByMe }),
  };
}

/**
 * The views of several photos; for an authenticated request each carries
 * `likedByMe`, read in one query per server holding some of them (on the
 * primary right after the viewer's own write, as every read of theirs).
 */
export async function photoViews(app: FastifyInstance, request: FastifyRequest, photos: readonly PhotoRow[]): Promise<PhotoView[]> {
  const viewer = request.session?.userId;
  if (viewer === undefined) return photos.map((photo) => photoView(app, request, photo));
  const liked = await app.photos.likedBy(
    viewer,
    photos.map((photo) => photo.id),
    app.readsFromPrimary(request),
  );
  return photos.map((photo) => photoView(app, request, photo, liked.has(photo.id)));
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
