import { Client } from 'pg';
import { startPostgres, type TestPostgres } from './postgres';

/** Several real PostgreSQL servers for one test file (each its own process and port). */
export interface TestPostgresServers {
  readonly servers: readonly TestPostgres[];
  /** One database URL per server, in order: the value for SHARD_DATABASE_URLS. */
  readonly urls: readonly string[];
  stop(): Promise<void>;
}

/** Starts `count` servers in parallel (about half a second each). */
export async function startPostgresServers(count: number): Promise<TestPostgresServers> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => startPostgres()));
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  return { servers, urls: servers.map((server) => server.url), stop };
}

/** One statement on a database outside the API (as an operator or tools/reshard would run it). */
export async function sql<R = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as R[];
  } finally {
    await client.end();
  }
}
