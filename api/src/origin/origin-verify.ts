import { timingSafeEqual } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { ORIGIN_VERIFY_EXEMPT_PATHS, ORIGIN_VERIFY_HEADER } from '../../../contracts/origin-verify';
import { OriginSecrets, secretsManagerReader, type StagedSecretReader } from './origin-secrets';

export interface OriginVerifyOptions {
  /** The secret CloudFront sends (ORIGIN_VERIFY_SECRET_ARN); without one nothing is checked (local runs). */
  readonly secretArn?: string;
  readonly region?: string;
  /** How often the accepted values are re-read. */
  readonly refreshMs: number;
  /** @default Secrets Manager */
  readonly read?: StagedSecretReader;
}

function matches(candidate: string, accepted: readonly string[]): boolean {
  const given = Buffer.from(candidate);
  // Compare with every accepted value, in constant time per value, so timing says nothing about the secret.
  return accepted.map((value) => Buffer.from(value)).some((value) => value.length === given.length && timingSafeEqual(value, given));
}

/**
 * Rejects, with 403, every request that does not carry the origin secret in
 * the `x-origin-verify` header: only CloudFront adds it, so nobody reaches the
 * API around the distribution, not even from an address CloudFront's other
 * customers share. Health checks are exempt (the load balancer and the
 * instance call them directly; they reveal nothing).
 */
export default fp(
  async function originVerify(app: FastifyInstance, options: OriginVerifyOptions) {
    if (!options.secretArn) return;
    const secrets = await OriginSecrets.start(options.secretArn, options.read ?? secretsManagerReader(options.region), options.refreshMs, app.log);
    app.addHook('onClose', async () => secrets.stop());
    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0];
      if (ORIGIN_VERIFY_EXEMPT_PATHS.includes(path)) return;
      const header = request.headers[ORIGIN_VERIFY_HEADER];
      if (typeof header === 'string' && matches(header, secrets.accepted())) return;
      return reply.code(403).send({ error: { code: 'not_through_cdn', message: 'requests must come through the CloudFront distribution' } });
    });
  },
  { name: 'origin-verify' },
);
