import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { decodeCursor, page, parseLimit } from '../../lib/cursor';
import { BEARER, PageQuery, PhotoPage } from '../schemas';

/**
 * The feed: your own photos and those of the users you follow, newest first. Without a queue
 * (stages before 1m) fan-out on read (PullFeed): one statement on one server;
 * on several, the followees, then one indexed query per primary holding some
 * of them, merged by ID. With a queue (1m) fan-out on write:
 * the reader's precomputed `feed_entries` plus celebrity followees read at
 * request time (FeedReader, docs/queue.md). Same page and cursor contract.
 */
export default async function feedRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.addHook('onRequest', app.authenticate);
  api.get(
    '/feed',
    { schema: { summary: 'Your photos and those of the people you follow, newest first', security: BEARER, querystring: PageQuery, response: { 200: PhotoPage } } },
    async (request) => {
    const before = decodeCursor(request.query.cursor);
    const limit = parseLimit(request.query.limit);
    const fromPrimary = app.readsFromPrimary(request);
    const me = request.session!.userId;
    // The reader's own photos are in their feed too: pulled here, read at request time by the fan-out reader.
    const { rows, likedByReader } = app.feedFanout
      ? await app.feedFanout.page(me, before, limit, fromPrimary)
      : await app.pullFeed.page(me, before, limit, fromPrimary);
    const { items, nextCursor } = page(await app.photoViews.refreshPending(rows), limit);
    return { items: await app.photoViews.views(items, me, fromPrimary, likedByReader), nextCursor };
    },
  );
}
