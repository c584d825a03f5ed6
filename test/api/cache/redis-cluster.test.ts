import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { freePort } from '../../support/free-port';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { describeWithRedis } from '../../support/redis';
import { call, newUser } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';

/** A one-node Redis Cluster (cluster mode enabled, all 16384 slots on it), like ElastiCache's configuration endpoint. */
async function startClusterNode(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'graminsta-redis-cluster-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1', '--cluster-config-file', join(dir, 'nodes.conf'), '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const cli = (...args: string[]) => spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).stdout ?? '';
  for (let i = 0; i < 100 && !cli('ping').includes('PONG'); i++) await new Promise((r) => setTimeout(r, 50));
  cli('cluster', 'addslotsrange', '0', '16383');
  for (let i = 0; i < 100 && !cli('cluster', 'info').includes('cluster_state:ok'); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

const cliAvailable = spawnSync('redis-cli', ['--version']).status === 0;

describeWithRedis('Redis in cluster mode (REDIS_CLUSTER=true, as at 100k and 1m)', () => {
  let pg: TestPostgres;
  let node: { url: string; stop(): Promise<void> };
  let a: TestApp;
  let b: TestApp;
  let inspect: Cluster;

  beforeAll(async () => {
    if (!cliAvailable) throw new Error('redis-cli is needed to assign cluster slots (it ships with redis-server)');
    pg = await startPostgres();
    node = await startClusterNode();
    const env = { DATABASE_URL: pg.url, REDIS_URL: node.url, REDIS_CLUSTER: 'true', NEAR_CACHE_TTL_MS: '60000' };
    a = await startTestApp(env);
    b = await startTestApp(env);
    const { port } = new URL(node.url);
    inspect = new Cluster([{ host: '127.0.0.1', port: Number(port) }]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    inspect?.disconnect();
    await node?.stop();
    await pg?.stop();
  });

  test('the cluster client serves cache, sessions and cross-instance invalidation', async () => {
    expect((await call(a.url, 'GET', '/readyz')).body.checks).toEqual({ database: 'ok', cache: 'ok' });
    const alice = await newUser(a.url);
    const bob = await newUser(b.url);
    expect((await call(b.url, 'GET', `/api/users/${bob.id}`)).body.followerCount).toBe(0);
    expect(await inspect.ttl(`user:${bob.id}`)).toBeGreaterThan(0);
    // A session made on one instance works on the other, and the write invalidates b's near tier via pub/sub.
    expect((await call(b.url, 'PUT', `/api/users/${bob.id}/follow`, { token: alice.token })).status).toBe(204);
    let seen = 0;
    for (let i = 0; i < 50 && seen !== 1; i++) {
      seen = (await call(b.url, 'GET', `/api/users/${bob.id}`)).body.followerCount;
      if (seen !== 1) await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toBe(1);
    expect((await call(a.url, 'GET', `/api/users/${bob.id}`)).body.followerCount).toBe(1);
  });
});
