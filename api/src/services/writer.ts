import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { unauthorized } from '../lib/http-error';

/**
 * Who makes a write: the signed-in user, the session token the write is
 * recorded on (read-your-own-writes) and the request's log. Services take
 * this, not the request.
 */
export interface Writer {
  readonly userId: string;
  readonly token: string | null;
  readonly log: FastifyBaseLogger;
}

/** The writer of an authenticated request (its scope's `authenticate` hook set the session). */
export function writerOf(request: FastifyRequest): Writer {
  if (!request.session) throw unauthorized();
  return { userId: request.session.userId, token: request.token, log: request.log };
}
