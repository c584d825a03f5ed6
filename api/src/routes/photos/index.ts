import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Readable } from 'node:stream';
import { forbidden, HttpError, notFound } from '../../lib/http-error';
import { requireId } from '../../lib/require-id';
import { alreadyUploaded } from '../../services/photo-service';
import { writerOf } from '../../services/writer';
import { originalKey } from '../../../../contracts/media-keys';
import { PHOTO_CONTENT_TYPES } from '../../../../contracts/photo-uploads';
import { BEARER, CreatePhotoBody, IdParams, NoContent, OPTIONAL_BEARER, Photo, Upload } from '../schemas';
import { Type } from 'typebox';

/** Public photo reads: the photo, and its bytes (local storage and S3 without a CDN). */
async function publicPhotoRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get('/photos/:id', { schema: { summary: 'A photo', security: OPTIONAL_BEARER, params: IdParams, response: { 200: Photo } }, onRequest: app.identify }, async (request) => {
    const id = requireId(request.params.id);
    const photo = await app.photos.get(id, app.readsFromPrimary(request));
    if (!photo) throw notFound('photo');
    const [view] = await app.photoViews.views(await app.photoViews.refreshPending([photo]), request.session?.userId, app.readsFromPrimary(request));
    return view;
  });

  api.get('/photos/:id/content', { schema: { summary: "A photo's bytes (local storage and the S3 proxy; from 10k the photo's url is the CDN)", params: IdParams } }, async (request, reply) => {
    const id = requireId(request.params.id);
    const photo = await app.photos.get(id, false);
    if (!photo) throw notFound('photo');
    // Bytes the API received are served only once their upload finished: a
    // pending photo's file may still be replaced, and what is served here is cached for a year.
    if (photo.status === 'pending' && app.storage.mode !== 'presigned') throw new HttpError(404, 'not_uploaded', 'this photo has no content yet');
    const stored = await app.storage.get(originalKey(photo.userId, photo.id));
    if (!stored) throw new HttpError(404, 'not_uploaded', 'this photo has no content yet');
    // First successful fetch of a presigned upload: the bytes are there, so it is ready.
    if (photo.status === 'pending') await app.photos.markReady(photo.id);
    reply.header('content-type', photo.contentType);
    if (stored.size !== undefined) reply.header('content-length', stored.size);
    // A photo's bytes never change once uploaded: cache forever (the URL holds the ID).
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    reply.header('x-content-type-options', 'nosniff');
    return reply.send(stored.body);
  });
}

/** Writes: authenticated by the scope's hook; the photo service checks ownership and sets off what each write changes. */
async function ownerPhotoRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.addHook('onRequest', app.authenticate);

  api.post(
    '/photos',
    {
      schema: {
        summary: 'Create a photo: where and how to send its bytes',
        security: BEARER,
        body: CreatePhotoBody,
        response: { 201: Type.Object({ photo: Photo, upload: Upload }) },
      },
    },
    async (request, reply) => {
      const { caption, contentType, size } = request.body;
      const writer = writerOf(request);
      await app.rateLimits.photoCreate(writer.userId);
      return reply.code(201).send(await app.photoService.create(writer, caption, contentType, size));
    },
  );

  api.delete('/photos/:id', { schema: { summary: 'Delete your photo', security: BEARER, params: IdParams, response: { 204: NoContent } } }, async (request, reply) => {
    await app.photoService.delete(writerOf(request), requireId(request.params.id));
    return reply.code(204).send();
  });

  api.put('/photos/:id/like', { schema: { summary: 'Like (idempotent)', security: BEARER, params: IdParams, response: { 204: NoContent } } }, async (request, reply) => {
    await app.photoService.like(writerOf(request), requireId(request.params.id));
    return reply.code(204).send();
  });

  api.delete('/photos/:id/like', { schema: { summary: 'Unlike (idempotent)', security: BEARER, params: IdParams, response: { 204: NoContent } } }, async (request, reply) => {
    await app.photoService.unlike(writerOf(request), requireId(request.params.id));
    return reply.code(204).send();
  });
}

/**
 * The upload route, in a context of its own whose only body parsers are the
 * image types, passing the body on as a stream. Any other Content-Type gets
 * 415 before a byte of the body is read: with the app's parsers in scope,
 * Fastify would have buffered and parsed a JSON body up to the upload size
 * before the handler could refuse it (one such request blocked the event loop
 * for seconds).
 */
async function uploadRoute(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.addHook('onRequest', app.authenticate);
  api.removeAllContentTypeParsers();
  api.addContentTypeParser([...PHOTO_CONTENT_TYPES], (_request, payload, done) => done(null, payload));

  api.put('/photos/:id/content', { schema: { summary: "Upload a photo's bytes (owner; local storage and the S3 proxy)", security: BEARER, params: IdParams, response: { 204: NoContent } } }, async (request, reply) => {
    const id = requireId(request.params.id);
    const writer = writerOf(request);
    const photo = await app.photos.get(id, true);
    if (!photo) throw notFound('photo');
    if (photo.userId !== writer.userId) throw forbidden('only the owner can upload this photo');
    if (app.storage.mode === 'presigned') throw new HttpError(409, 'use_presigned_upload', 'upload with the presigned POST from POST /api/photos');
    if (photo.status === 'ready') throw alreadyUploaded();
    const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (contentType !== photo.contentType) {
      throw new HttpError(415, 'unsupported_media_type', `this photo was declared as ${photo.contentType}`);
    }
    const lengthHeader = request.headers['content-length'];
    if (lengthHeader === undefined) throw new HttpError(411, 'length_required', 'send Content-Length');
    const length = Number(lengthHeader);
    if (length > photo.size) throw new HttpError(413, 'payload_too_large', `declared size is ${photo.size} bytes`);
    if (length < 1) throw new HttpError(400, 'empty_upload', 'the upload is empty');
    const body = request.body;
    if (!(body instanceof Readable)) throw new HttpError(415, 'unsupported_media_type', `send the bytes as ${photo.contentType}`);
    await app.rateLimits.upload(writer.userId);
    await app.photoService.upload(writer, photo, body, length);
    return reply.code(204).send();
  });
}

export default async function photoRoutes(app: FastifyInstance) {
  await app.register(publicPhotoRoutes);
  await app.register(ownerPhotoRoutes);
  await app.register(uploadRoute);
}
