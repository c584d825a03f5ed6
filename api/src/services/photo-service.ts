import type { FastifyBaseLogger } from 'fastify';
import type { Readable } from 'node:stream';
import type { UserCache } from '../cache/user-cache';
import type { FeedFanout } from '../feed/feed-fanout';
import { forbidden, HttpError, notFound } from '../lib/http-error';
import type { PhotoContentType, PhotoRow, PhotosRepository } from '../repositories/photos-repository';
import type { ReadYourWrites } from '../sessions/read-your-writes';
import { TooLargeError, type PhotoStorage, type StagedUpload, type UploadInstructions } from '../storage/photo-storage';
import { originalKey } from '../../../contracts/media-keys';
import type { PhotoView, PhotoViews } from './photo-views';
import type { Writer } from './writer';

export const alreadyUploaded = () => new HttpError(409, 'already_uploaded', 'this photo already has its content');

export interface PhotoServiceDeps {
  readonly photos: PhotosRepository;
  readonly storage: PhotoStorage;
  readonly views: PhotoViews;
  readonly readYourWrites: ReadYourWrites;
  /** Undefined without Redis (stages before 100k). */
  readonly userCache?: UserCache;
  /** Undefined without a queue (stages before 1m: feeds are pulled). */
  readonly feedFanout?: FeedFanout;
  /** Age after which an upload's claim belongs to a request that cannot still be running (uploadClaimStaleMs). */
  readonly uploadClaimStaleMs: number;
}

/**
 * Photo writes, each with its side effects in one place: the owner's cached
 * profile dropped when their photo count or a photo's state changes, the
 * write recorded on the session (read-your-own-writes), and with a queue the
 * change sent to the precomputed feeds. Routes check the request, call one
 * method, and answer; the upload sweeper removes abandoned photos through
 * the same path as a delete.
 */
export class PhotoService {
  constructor(private readonly deps: PhotoServiceDeps) {}

  /** A new pending photo and where to send its bytes (a presigned POST, or the API's content route). */
  async create(writer: Writer, caption: string, contentType: PhotoContentType, size: number): Promise<{ photo: PhotoView; upload: UploadInstructions }> {
    const { photos, storage, views, userCache, feedFanout } = this.deps;
    const me = writer.userId;
    const photo = await photos.create(me, caption, contentType, size);
    const key = originalKey(me, photo.id);
    const upload: UploadInstructions =
      storage.presignUpload !== undefined && storage.mode === 'presigned'
        ? await storage.presignUpload(key, contentType, size)
        : { method: 'PUT', url: views.contentUrl(photo.id), headers: { 'Content-Type': contentType } };
    await Promise.all([userCache?.invalidate(me), this.recordWrite(writer)]);
    void feedFanout?.photoCreated(photo);
    // Nobody has liked a photo that did not exist a moment ago.
    return { photo: views.view(photo, false), upload };
  }

  /** The writer's photo, its bytes and its feed entries; 404 when it does not exist, 403 when it is someone else's. */
  async delete(writer: Writer, id: string): Promise<void> {
    const outcome = await this.deps.photos.delete(id, writer.userId);
    if (outcome === 'not_found') throw notFound('photo');
    if (outcome === 'forbidden') throw forbidden('only the owner can delete this photo');
    await this.removed(id, writer.userId, writer.log, 'photo bytes not deleted', writer);
  }

  /** Idempotent; 404 when the photo does not exist. The like count is on the photo, not the profile: no cache to drop. */
  async like(writer: Writer, id: string): Promise<void> {
    if ((await this.deps.photos.like(id, writer.userId)) === 'missing') throw notFound('photo');
    await this.recordWrite(writer);
  }

  async unlike(writer: Writer, id: string): Promise<void> {
    if ((await this.deps.photos.unlike(id, writer.userId)) === 'missing') throw notFound('photo');
    await this.recordWrite(writer);
  }

  /**
   * Stores a checked upload as the photo's content (local storage and the S3
   * proxy): one upload per photo at a time (the others get 409 without their
   * bodies read), the bytes staged, then made the content under the row lock
   * with the photo marked ready. The caller has checked owner, state, type
   * and declared length.
   */
  async upload(writer: Writer, photo: PhotoRow, body: Readable, length: number): Promise<void> {
    const { photos, storage, userCache } = this.deps;
    const id = photo.id;
    const claimed = await photos.claimUpload(id, writer.userId, this.deps.uploadClaimStaleMs);
    if ('refused' in claimed) {
      if (claimed.refused === 'not_found') throw notFound('photo');
      if (claimed.refused === 'forbidden') throw forbidden('only the owner can upload this photo');
      if (claimed.refused === 'ready') throw alreadyUploaded();
      throw new HttpError(409, 'upload_in_progress', 'another upload of this photo is in progress');
    }
    const key = originalKey(photo.userId, photo.id);
    let staged: StagedUpload;
    try {
      staged = await storage.stage(key, body, photo.contentType, length, photo.size);
    } catch (error) {
      await photos.releaseUpload(id, claimed.claim).catch((releaseError: unknown) => writer.log.warn({ err: releaseError, photoId: id }, 'upload claim not released'));
      if (error instanceof TooLargeError) throw new HttpError(413, 'payload_too_large', error.message);
      throw error;
    }
    let outcome: Awaited<ReturnType<PhotosRepository['finishUpload']>>;
    try {
      outcome = await photos.finishUpload(id, claimed.claim, () => staged.commit());
    } catch (error) {
      // The database did not answer: the photo stays pending, the client retries the upload.
      await staged.abandon();
      await photos.releaseUpload(id, claimed.claim).catch(() => undefined);
      throw error;
    }
    if (outcome === 'gone') {
      // Deleted while the bytes arrived: they belong to no photo.
      await staged.discard();
      throw notFound('photo');
    }
    if (outcome === 'superseded') {
      await staged.abandon();
      throw new HttpError(409, 'upload_in_progress', 'this upload took too long and another one took its place');
    }
    await userCache?.invalidate(writer.userId);
  }

  /**
   * One pending photo past its time (the upload sweeper): made ready when its
   * presigned upload did arrive, otherwise deleted (re-checked under the row
   * lock) with its bytes and feed entries, as a delete by its owner would.
   */
  async sweepAbandoned(photo: PhotoRow, ttlMs: number, claimStaleMs: number, log: FastifyBaseLogger): Promise<void> {
    const { photos, storage } = this.deps;
    if (storage.mode === 'presigned' && (await storage.head(originalKey(photo.userId, photo.id))) !== undefined) {
      await photos.markReady(photo.id);
      return;
    }
    if (!(await photos.deleteAbandoned(photo.id, ttlMs, claimStaleMs))) return;
    await this.removed(photo.id, photo.userId, log, 'bytes of an abandoned photo not deleted');
    log.info({ photoId: photo.id }, 'abandoned photo removed: its bytes never arrived');
  }

  /** After a photo's row is gone: its bytes (a failure is logged: they belong to no one now), its owner's cached profile, its feed entries. */
  private async removed(photoId: string, ownerId: string, log: FastifyBaseLogger, bytesLeftMessage: string, writer?: Writer): Promise<void> {
    const { storage, userCache, feedFanout } = this.deps;
    await storage.delete(originalKey(ownerId, photoId)).catch((error: unknown) => log.warn({ err: error, photoId }, bytesLeftMessage));
    await Promise.all([userCache?.invalidate(ownerId), writer && this.recordWrite(writer)]);
    void feedFanout?.photoDeleted(photoId, ownerId);
  }

  private recordWrite(writer: Writer): Promise<void> {
    return this.deps.readYourWrites.recordWrite(writer.token, writer.log);
  }
}
