import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { enforceAuthRateLimit } from '../../lib/rate-limits';
import { decodeCursor, page, parseLimit } from '../../lib/cursor';
import { badRequest, HttpError, notFound } from '../../lib/http-error';
import { photoView, refreshPending } from '../../lib/photo-view';
import { requireId } from '../../lib/require-id';
import { Credentials, IdParams, NewUser, PageQuery, PhotoPage } from '../schemas';

/** Public user routes: sign-up, profile (cached), a user's photos. */
async function publicUserRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post('/users', { schema: { body: Credentials, response: { 201: NewUser } } }, async (request, reply) => {
    const { username, password } = request.body;
    await enforceAuthRateLimit(app, request, 'signup', username);
    // Cheap check first, so a taken name costs no scrypt; the insert's ON CONFLICT settles races.
    if (await app.users.credentials(username)) throw new HttpError(409, 'username_taken', 'that username is taken');
    const user = await app.users.create(username, await app.passwords.hash(password));
    if (!user) throw new HttpError(409, 'username_taken', 'that username is taken');
    return reply.code(201).send(user);
  });

  /**
   * The hot read. Near tier and Redis hold the serialized JSON, sent as is.
   * A miss loads from the PRIMARY: filling the 30 s cache from a lagging
   * replica would pin a stale view. Without a working cache, a replica answers.
   */
  api.get('/users/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const id = requireId(request.params.id);
    const cache = app.userCache;
    const cacheUp = cache !== undefined && app.redis!.status === 'ready';
    if (cache) {
      const hit = await cache.get(id);
      if (hit !== undefined) return reply.type('application/json; charset=utf-8').send(hit);
    }
    const profile = await app.users.profile(id, cacheUp);
    if (!profile) throw notFound('user');
    const json = JSON.stringify(profile);
    if (cacheUp) await cache!.fill(id, json);
    return reply.type('application/json; charset=utf-8').send(json);
  });

  api.get(
    '/users/:id/photos',
    { schema: { params: IdParams, querystring: PageQuery, response: { 200: PhotoPage } }, onRequest: app.identify },
    async (request) => {
      const id = requireId(request.params.id);
      const before = decodeCursor(request.query.cursor);
      const limit = parseLimit(request.query.limit);
      const fromPrimary = app.readsFromPrimary(request);
      const rows = await app.photos.listByUser(id, before, limit, fromPrimary);
      if (rows.length === 0 && before === undefined && !(await app.users.exists(id))) throw notFound('user');
      const { items, nextCursor } = page(await refreshPending(app, rows), limit);
      return { items: items.map((photo) => photoView(app, request, photo)), nextCursor };
    },
  );
}

/** Follow and unfollow: authenticated by the scope's hook. */
async function followRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.addHook('onRequest', app.authenticate);

  api.put('/users/:id/follow', { schema: { params: IdParams } }, async (request, reply) => {
    const target = requireId(request.params.id);
    const me = request.session!.userId;
    if (target === me) throw badRequest('cannot_follow_self', 'you cannot follow yourself');
    if (!(await app.users.exists(target))) throw notFound('user');
    if (await app.follows.follow(me, target)) {
      await Promise.all([app.userCache?.invalidate(me), app.userCache?.invalidate(target), app.recordWrite(request), app.feedFanout?.followed(me, target)]);
    }
    return reply.code(204).send();
  });

  api.delete('/users/:id/follow', { schema: { params: IdParams } }, async (request, reply) => {
    const target = requireId(request.params.id);
    const me = request.session!.userId;
    if (await app.follows.unfollow(me, target)) {
      await Promise.all([app.userCache?.invalidate(me), app.userCache?.invalidate(target), app.recordWrite(request)]);
    }
    return reply.code(204).send();
  });
}

export default async function userRoutes(app: FastifyInstance) {
  await app.register(publicUserRoutes);
  await app.register(followRoutes);
}
