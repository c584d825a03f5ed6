import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { PasswordHasher } from '../../auth/password-hasher';
import { hashPassword, verifyPassword } from '../../auth/passwords';

declare module 'fastify' {
  interface FastifyInstance {
    passwords: {
      hash(password: string): Promise<string>;
      /** Verifies against the stored hash, or against a dummy one when the user does not exist (same cost: no username oracle by timing). */
      verify(password: string, stored: string | undefined): Promise<boolean>;
    };
  }
}

/**
 * Password hashing on the API's own worker threads (PASSWORD_HASH_THREADS,
 * at most PASSWORD_HASH_QUEUE waiting; see password-hasher.ts).
 */
export default fp(
  async function passwords(app: FastifyInstance) {
    const { passwordHashCost, passwordHashThreads, passwordHashQueue } = app.config;
    const hasher = new PasswordHasher({ threads: passwordHashThreads, queue: passwordHashQueue });
    app.addHook('onClose', async () => hasher.close());
    // Made once before the first request, so no log-in ever waits for it (or is refused making it).
    const dummy = await hashPassword(randomBytes(16).toString('hex'), passwordHashCost, hasher.derive);
    app.decorate('passwords', {
      hash: (password: string) => hashPassword(password, passwordHashCost, hasher.derive),
      verify: (password: string, stored: string | undefined) => verifyPassword(password, stored ?? dummy, hasher.derive),
    });
  },
  { name: 'passwords', dependencies: ['config'] },
);
