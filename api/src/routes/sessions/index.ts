import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { HttpError, unavailable } from '../../lib/http-error';
import { BEARER, LoginBody, NoContent, SessionCreated } from '../schemas';

const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'wrong username or password');

async function logIn(app: FastifyInstance) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.post('/sessions', { schema: { summary: 'Sign in: a session token', body: LoginBody, response: { 201: SessionCreated } } }, async (request, reply) => {
    const { username, password } = request.body;
    await app.rateLimits.auth(request.ip, 'login', username);
    // No session could be stored: say so now, not after a full password hash.
    if (!app.sessions.available()) throw unavailable('sessions are');
    const user = await app.users.credentials(username);
    // Same work for an unknown user as for a wrong password: no username oracle by timing.
    const ok = await app.passwords.verify(password, user?.passwordHash);
    if (!user || !ok) throw invalidCredentials();
    const token = await app.sessions.create(user.id);
    return reply.code(201).send({ token, userId: user.id });
  });
}

async function logOut(app: FastifyInstance) {
  app.addHook('onRequest', app.authenticate);
  // Ends only the session whose token is presented: no route can end someone else's.
  app.delete('/sessions', { schema: { summary: 'Sign out: the token stops working at once', security: BEARER, response: { 204: NoContent } } }, async (request, reply) => {
    await app.sessions.delete(request.token!);
    return reply.code(204).send();
  });
}

export default async function sessionRoutes(app: FastifyInstance) {
  await app.register(logIn);
  await app.register(logOut);
}
