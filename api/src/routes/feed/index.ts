import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { decodeCursor, page, parseLimit } from '../../lib/cursor';
import { photoView, refreshPending } from '../../lib/photo-view';
import { PageQuery, PhotoPage } from '../schemas';

/**
 * The feed: photos of the users you follow, newest first. Without a queue
 * (stages before 1m) fan-out on read: one indexed query per primary holding
 * some of the followees, merged by ID. With a queue (1m) fan-out on write:
 * the reader's precomputed `feed_entries` plus celebrity followees read at
 * request time (FeedReader, docs/queue.md). Same page and cursor contract.
 */
export default async function feedRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.addHook('onRequest', app.authenticate);
  api.get('/feed', { schema: { querystring: PageQuery, response: { 200: PhotoPage } } }, async (request) => {
    const before = decodeCursor(request.query.cursor);
    const limit = parseLimit(request.query.limit);
    const fromPrimary = app.readsFromPrimary(request);
    const followees = await app.follows.followees(request.session!.userId, fromPrimary);
    const me = request.session!.userId;
    const rows = app.feedFanout
      ? await app.feedFanout.page(me, followees, before, limit, fromPrimary)
      : await app.photos.listByAuthors(followees, before, limit, fromPrimary);
    const { items, nextCursor } = page(await refreshPending(app, rows), limit);
    return { items: items.map((photo) => photoView(app, request, photo)), nextCursor };
  });
}
