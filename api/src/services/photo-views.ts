import type { PhotoRow, PhotosRepository } from '../repositories/photos-repository';
import type { PhotoStorage } from '../storage/photo-storage';
import { originalKey } from '../../../contracts/media-keys';

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

/** Where photo links point (MEDIA_BASE_URL, PUBLIC_API_URL). */
export interface PhotoLinks {
  readonly mediaBaseUrl?: string;
  readonly publicApiUrl?: string;
}

/**
 * A presigned POST lives 10 minutes; a photo still pending well after that
 * will never get bytes, so it is not worth an S3 HEAD on every read.
 */
const READY_CHECK_WINDOW_MS = 15 * 60 * 1000;

/** Photos as the API answers them: the rows, their links and the viewer's `likedByMe`. */
export class PhotoViews {
  constructor(
    private readonly photos: PhotosRepository,
    private readonly storage: PhotoStorage,
    private readonly links: PhotoLinks,
  ) {}

  /**
   * The API's own content route for a photo. Root-relative unless
   * PUBLIC_API_URL is set: behind CloudFront (100 and up) `/api/*` reaches the
   * API with the origin's Host, not the site's, so an absolute URL built from
   * the request would point browsers at the wrong origin; a root-relative one
   * resolves against whatever origin the client used to reach the API.
   */
  contentUrl(photoId: string): string {
    return `${this.links.publicApiUrl ?? ''}/api/photos/${photoId}/content`;
  }

  /** Where a client fetches the image: the CDN (`MEDIA_BASE_URL` + key) where there is one, else the content route. */
  url(photo: PhotoRow): string {
    const base = this.links.mediaBaseUrl;
    if (base) return `${base}${originalKey(photo.userId, photo.id)}`;
    return this.contentUrl(photo.id);
  }

  /** `likedByMe`: true/false for an authenticated viewer, left out for an anonymous one. */
  view(photo: PhotoRow, likedByMe?: boolean): PhotoView {
    return {
      id: photo.id,
      userId: photo.userId,
      caption: photo.caption,
      contentType: photo.contentType,
      url: this.url(photo),
      createdAt: photo.createdAt,
      likeCount: photo.likeCount,
      status: photo.status,
      ...(likedByMe === undefined ? {} : { likedByMe }),
    };
  }

  /**
   * The views of several photos; for a signed-in viewer each carries
   * `likedByMe`, read in one query per server holding some of them (on the
   * primary right after the viewer's own write, as every read of theirs),
   * unless the caller read them with the rows (`likedByViewer`: every photo
   * of `photos` the viewer likes).
   */
  async views(photos: readonly PhotoRow[], viewerId: string | undefined, fromPrimary: boolean, likedByViewer?: ReadonlySet<string>): Promise<PhotoView[]> {
    if (viewerId === undefined) return photos.map((photo) => this.view(photo));
    const liked = likedByViewer ?? await this.photos.likedBy(
      viewerId,
      photos.map((photo) => photo.id),
      fromPrimary,
    );
    return photos.map((photo) => this.view(photo, liked.has(photo.id)));
  }

  /**
   * Presigned uploads bypass the API, so the API learns that bytes arrived by
   * looking: a pending photo whose object now exists in S3 is marked ready the
   * first time it is read (decision recorded in docs/api.md; the thumbnail
   * Lambda has no database access). Local and proxy uploads are marked ready by
   * the upload itself.
   */
  async refreshPending(photos: readonly PhotoRow[]): Promise<PhotoRow[]> {
    if (this.storage.mode !== 'presigned') return [...photos];
    const now = Date.now();
    return Promise.all(
      photos.map(async (photo) => {
        if (photo.status !== 'pending' || now - Date.parse(photo.createdAt) > READY_CHECK_WINDOW_MS) return photo;
        const size = await this.storage.head(originalKey(photo.userId, photo.id)).catch(() => undefined);
        if (size === undefined) return photo;
        await this.photos.markReady(photo.id);
        return { ...photo, status: 'ready' as const };
      }),
    );
  }
}
