import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../api/src/app';
import { loadEnvConfig } from '../../../api/src/config/env-config';
import { resolveConfig, type AppConfig } from '../../../api/src/config/resolve-config';
import { migrate } from '../../../api/src/db/migrate';

/** No AWS in tests: any attempt to read a secret is a bug in the test. */
const noAws = {
  secretJson: async () => {
    throw new Error('tests must not read AWS secrets');
  },
  parameter: async () => {
    throw new Error('tests must not read SSM parameters');
  },
};

/** The configuration the API would build from this environment (test defaults: cheap scrypt, silent logs). */
export async function testConfig(env: Record<string, string>): Promise<AppConfig> {
  return resolveConfig(
    loadEnvConfig({ PASSWORD_HASH_COST: 'test', LOG_LEVEL: 'silent', AUTH_RATE_LIMIT_PER_IP: '1000000', AUTH_RATE_LIMIT_PER_USERNAME: '1000000', ...env }),
    noAws,
    {},
  );
}

export interface TestApp {
  readonly app: FastifyInstance;
  /** Base URL of the listening app. */
  readonly url: string;
  readonly config: AppConfig;
  close(): Promise<void>;
}

/**
 * The app in-process, listening on a free loopback port (tests talk HTTP to
 * it and may also inspect `app.db` / `app.redis`). Migrates first, as server.ts does.
 */
export async function startTestApp(env: Record<string, string>, logStream?: NodeJS.WritableStream): Promise<TestApp> {
  const config = await testConfig(env);
  for (const target of config.primaries) await migrate(target.primary);
  // With a stream: the production logger (redaction included) writing there; without: silent.
  const app = await buildApp(config, logStream ? { logStream } : { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}`, config, close: () => app.close() };
}
