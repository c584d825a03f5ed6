import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { decodeCursor, decodeNameCursor, encodeNameCursor, page, parseLimit } from '../../lib/cursor';
import { notFound } from '../../lib/http-error';
import { requireId } from '../../lib/require-id';
import { writerOf } from '../../services/writer';
import { BEARER, Credentials, IdParams, NewUser, NoContent, OPTIONAL_BEARER, PageQuery, PhotoPage, UserProfile, UserSearchPage, UserSearchQuery } from '../schemas';

/** Public user routes: sign-up, profile (cached), a user's photos. */
async function publicUserRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post('/users', { schema: { summary: 'Sign up', body: Credentials, response: { 201: NewUser } } }, async (request, reply) => {
    const { username, password } = request.body;
    await app.rateLimits.auth(request.ip, 'signup', username);
    return reply.code(201).send(await app.userService.signUp(username, password));
  });

  /**
   * People by the start of their username, in username order (byte order:
   * usernames are [a-z0-9_]), so a new user can find someone to follow.
   * Every server is asked: a user's server is a hash of the username.
   */
  api.get('/users', { schema: { summary: 'Find people by the start of their username', querystring: UserSearchQuery, response: { 200: UserSearchPage } } }, async (request) => {
    const prefix = request.query.prefix.toLowerCase();
    const after = decodeNameCursor(request.query.cursor);
    const limit = parseLimit(request.query.limit);
    const rows = await app.users.searchByPrefix(prefix, after, limit);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeNameCursor(items[items.length - 1].username) : null };
  });

  /**
   * The hot read. Near tier and Redis hold the serialized JSON, sent as is.
   * A miss loads from the PRIMARY: filling the 30 s cache from a lagging
   * replica would pin a stale view. Without a working cache, a replica answers.
   * For a signed-in viewer `followedByMe` is added to the JSON on the way out
   * (read from the viewer's `following` row), never stored in the shared entry.
   */
  api.get(
    '/users/:id',
    { schema: { summary: 'A profile (cached), with followedByMe for a signed-in viewer', security: OPTIONAL_BEARER, params: IdParams, response: { 200: UserProfile } }, onRequest: app.identify },
    async (request, reply) => {
    const id = requireId(request.params.id);
    const cache = app.userCache;
    const cacheUp = cache !== undefined && app.redis!.status === 'ready';
    const viewer = request.session?.userId;
    const followedByMe = viewer === undefined ? undefined : app.follows.isFollowing(viewer, id, app.readsFromPrimary(request));
    // Not awaited yet: the viewer's row is read while the profile is looked up.
    followedByMe?.catch(() => undefined);
    let json: string | undefined;
    // A reader who just wrote at home, in another region: this region's cache may predate the write.
    if (cache && !request.readsOwnRemoteWrite) json = await cache.get(id);
    if (json === undefined) {
      const profile = await app.users.profile(id, cacheUp);
      if (!profile) throw notFound('user');
      json = JSON.stringify(profile);
      if (cacheUp) await cache!.fill(id, json);
    }
    if (followedByMe !== undefined) json = `${json.slice(0, -1)},"followedByMe":${String(await followedByMe)}}`;
    // Already JSON (of the UserProfile schema): Fastify sends a string payload as is, never through the serializer.
    return reply.type('application/json; charset=utf-8').send(json as unknown as Static<typeof UserProfile>);
    },
  );

  api.get(
    '/users/:id/photos',
    {
      schema: { summary: "A user's photos, newest first", security: OPTIONAL_BEARER, params: IdParams, querystring: PageQuery, response: { 200: PhotoPage } },
      onRequest: app.identify,
    },
    async (request) => {
      const id = requireId(request.params.id);
      const before = decodeCursor(request.query.cursor);
      const limit = parseLimit(request.query.limit);
      const fromPrimary = app.readsFromPrimary(request);
      const rows = await app.photos.listByUser(id, before, limit, fromPrimary);
      if (rows.length === 0 && before === undefined && !(await app.users.exists(id))) throw notFound('user');
      const { items, nextCursor } = page(await app.photoViews.refreshPending(rows), limit);
      return { items: await app.photoViews.views(items, request.session?.userId, fromPrimary), nextCursor };
    },
  );
}

/** Follow and unfollow: authenticated by the scope's hook; the follow service sets off what a changed edge changes. */
async function followRoutes(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.addHook('onRequest', app.authenticate);

  api.put('/users/:id/follow', { schema: { summary: 'Follow (idempotent)', security: BEARER, params: IdParams, response: { 204: NoContent } } }, async (request, reply) => {
    await app.followService.follow(writerOf(request), requireId(request.params.id));
    return reply.code(204).send();
  });

  api.delete('/users/:id/follow', { schema: { summary: 'Unfollow (idempotent)', security: BEARER, params: IdParams, response: { 204: NoContent } } }, async (request, reply) => {
    await app.followService.unfollow(writerOf(request), requireId(request.params.id));
    return reply.code(204).send();
  });
}

export default async function userRoutes(app: FastifyInstance) {
  await app.register(publicUserRoutes);
  await app.register(followRoutes);
}
