import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { decodeCursor, page, parseLimit } from '../../lib/cursor';
import { photoView, refreshPending } from '../../lib/photo-view';
import { PageQuery, PhotoPage } from '../schemas';

/**
 * The feed: photos of the users you follow, newest first. Fan-out on read:
 * one indexed query per primary holding some of the followees, merged by ID.
 */
export default async function feedRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.addHook('onRequest', app.authenticate);
  api.get('/feed', { schema: { querystring: PageQuery, response: { 200: PhotoPage } } }, async (request) => {
    const before = decodeCursor(request.query.cursor);
    const limit = parseLimit(request.query.limit);
    const fromPrimary = app.readsFromPrimary(request);
    const followees = await app.follows.followees(request.session!.userId, fromPrimary);
    const rows = await app.photos.listByAuthors(followees, before, limit, fromPrimary);
    const { items, nextCursor } = page(await refreshPending(app, rows), limit);
    return { items: items.map((photo) => photoView(app, request, photo)), nextCursor };
  });
}
