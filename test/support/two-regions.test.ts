import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname } from 'node:path';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseRegionConfig } from '../../contracts/region-config';
import { parseShardMap } from '../../contracts/shard-map';
import { sql } from './postgres-servers';
import { describeWithStreamingPostgres } from './streaming-postgres';
import { startTwoRegions, TEST_REGION_CONFIG_PARAMETER, type TwoRegions } from './two-regions';

const DELAY_MS = 25;

/** An SSM client of `region` pointed at the stand-in, as the API and the failover tool build one. */
function ssmClient(regions: TwoRegions, region: string): SSMClient {
  const env = regions.ssm.environment(region);
  return new SSMClient({
    region,
    endpoint: env.AWS_ENDPOINT_URL_SSM,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeWithStreamingPostgres('two regions on loopback (test/support/two-regions.ts)', () => {
  let regions: TwoRegions;
  /** Tiny stand-ins for each region's API whose /readyz the test switches (the router is under test, not the API). */
  const ready = new Map<string, boolean>();
  const servers: Server[] = [];

  beforeAll(async () => {
    regions = await startTwoRegions({ shards: 2, delayMs: DELAY_MS });
  }, 60_000);
  afterAll(async () => {
    await regions?.stop();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  test("every shard's primary in A has a streaming replica in B, across the delayed ocean", async () => {
    expect(regions.a.nodes).toHaveLength(2);
    expect(regions.b.nodes).toHaveLength(2);
    for (const [i, primary] of regions.a.nodes.entries()) {
      await sql(primary.url, `CREATE TABLE marks (shard int); INSERT INTO marks VALUES (${i})`);
      const replica = regions.b.nodes[i];
      expect(await replica.inRecovery()).toBe(true);
      await waitUntil(`shard ${i}'s row on B`, async () => (await sql(replica.url, 'SELECT shard FROM marks')).length === 1);
      expect(await sql(replica.url, 'SELECT shard FROM marks')).toEqual([{ shard: i }]);
      const [receiver] = await sql<{ status: string; sender_port: number }>(replica.url, 'SELECT status, sender_port FROM pg_stat_wal_receiver');
      expect(receiver).toEqual({ status: 'streaming', sender_port: regions.oceanTo('region-a')[i].port });
      // A replica refuses writes.
      await expect(sql(replica.url, 'INSERT INTO marks VALUES (9)')).rejects.toThrow(/read-only transaction/);
    }
  });

  test('a round trip across the ocean costs at least twice the one-way delay', async () => {
    const { home, local } = regions.databases('region-b');
    expect(home.map((url) => new URL(url).port)).toEqual(regions.oceanTo('region-a').map((proxy) => String(proxy.port)));
    expect(local).toEqual(regions.b.nodes.map((node) => node.url));
    const { Client } = await import('pg');
    const client = new Client({ connectionString: home[0] });
    await client.connect();
    try {
      const started = process.hrtime.bigint();
      await client.query('SELECT 1');
      // A lower bound only (timers never fire early): the delay is there, whatever the machine's speed.
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeGreaterThanOrEqual(2 * DELAY_MS - 1);
    } finally {
      await client.end();
    }
  });

  test("each region's API environment: a valid shard map naming the region's own servers (B: its replicas, which it writes once promoted) and its own copy of the region configuration; the failover map names home's primaries and B's replicas", async () => {
    const envA = regions.env('region-a');
    const envB = regions.env('region-b');
    const mapA = parseShardMap(envA.SHARD_MAP);
    const mapB = parseShardMap(envB.SHARD_MAP);
    expect(mapA.primaries.map((p) => [p.name, p.url, p.replicaUrls])).toEqual(regions.a.nodes.map((node, i) => [`primary-${i}`, node.url, []]));
    expect(mapB.primaries.map((p) => [p.name, p.url, p.replicaUrls])).toEqual(regions.b.nodes.map((node, i) => [`primary-${i}`, node.url, []]));
    const failoverB = regions.failoverMap('region-b');
    expect(failoverB.primaries.map((p) => [p.url, p.replicaUrls])).toEqual(regions.a.nodes.map((_, i) => [regions.databases('region-b').home[i], [regions.b.nodes[i].url]]));
    expect(mapB.primaries.map((p) => p.shards)).toEqual(mapA.primaries.map((p) => p.shards));
    expect(envA).toMatchObject({ PORT: String(regions.a.apiPort), REDIS_URL: regions.a.redis.url, AWS_REGION: 'region-a', REGION_CONFIG_PARAMETER: TEST_REGION_CONFIG_PARAMETER });
    expect(envB).toMatchObject({ PORT: String(regions.b.apiPort), REDIS_URL: regions.b.redis.url, AWS_REGION: 'region-b' });
    expect(envA.REDIS_URL).not.toEqual(envB.REDIS_URL);

    for (const region of ['region-a', 'region-b']) {
      const out = await ssmClient(regions, region).send(new GetParameterCommand({ Name: TEST_REGION_CONFIG_PARAMETER }));
      const config = parseRegionConfig(out.Parameter!.Value!);
      expect(config).toEqual(regions.initialConfig);
      expect(config).toMatchObject({ home: 'region-a', epoch: 1 });
    }
    // The other region's API is reached across the ocean.
    expect(regions.initialConfig.regions.map((r) => r.apiUrl)).toEqual([`http://127.0.0.1:${regions.apiProxy('region-a').port}`, `http://127.0.0.1:${regions.apiProxy('region-b').port}`]);
  });

  test("SSM keeps one copy per region; an unreachable region's calls fail and change nothing", async () => {
    const clientB = ssmClient(regions, 'region-b');
    const moved = JSON.stringify({ ...regions.initialConfig, home: 'region-b', epoch: 2 });
    await clientB.send(new PutParameterCommand({ Name: TEST_REGION_CONFIG_PARAMETER, Value: moved, Type: 'String', Overwrite: true }));
    expect(regions.ssm.value('region-b', TEST_REGION_CONFIG_PARAMETER)).toBe(moved);
    expect(regions.ssm.value('region-a', TEST_REGION_CONFIG_PARAMETER)).toBe(JSON.stringify(regions.initialConfig));
    await expect(clientB.send(new PutParameterCommand({ Name: TEST_REGION_CONFIG_PARAMETER, Value: moved, Type: 'String' }))).rejects.toThrow(/already exists/);

    regions.ssm.setReachable('region-a', false);
    await expect(ssmClient(regions, 'region-a').send(new PutParameterCommand({ Name: TEST_REGION_CONFIG_PARAMETER, Value: moved, Type: 'String', Overwrite: true }))).rejects.toThrow();
    expect(regions.ssm.value('region-a', TEST_REGION_CONFIG_PARAMETER)).toBe(JSON.stringify(regions.initialConfig));
    expect(regions.ssm.calls.at(-1)).toMatchObject({ region: 'region-a', action: 'PutParameter', answered: false });
    regions.ssm.setReachable('region-a', true);
    regions.ssm.put('region-b', TEST_REGION_CONFIG_PARAMETER, JSON.stringify(regions.initialConfig));
  });

  test('the latency router sends each client to its region, fails over after N failed health checks, and back', async () => {
    await regions.startApis(async ({ name, port, env }) => {
      ready.set(name, true);
      const server = createServer((request, response) => {
        if (request.url === '/readyz') response.writeHead(ready.get(name) ? 200 : 503).end();
        else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ region: name, awsRegion: env.AWS_REGION }));
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return { url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    });
    const router = await regions.startRouter({ intervalMs: 50, failureThreshold: 3 });
    const ask = async (entry: string) => (await (await fetch(`${router.entryFor(entry)}/whoami`)).json()) as { region: string; awsRegion: string };

    expect(await ask('region-a')).toEqual({ region: 'region-a', awsRegion: 'region-a' });
    expect(await ask('region-b')).toEqual({ region: 'region-b', awsRegion: 'region-b' });
    ready.set('region-a', false);
    await router.waitFor('region-a', false, 5000);
    expect(await ask('region-a')).toMatchObject({ region: 'region-b' });
    expect(router.changes.at(-1)).toMatchObject({ region: 'region-a', healthy: false });
    ready.set('region-a', true);
    await router.waitFor('region-a', true, 5000);
    expect(await ask('region-a')).toMatchObject({ region: 'region-a' });
    // The region that failed came back only after `failureThreshold` good checks: exactly two changes.
    expect(router.changes.filter((change) => change.region === 'region-a').map((change) => change.healthy)).toEqual([false, true]);
    expect(router.healthy('region-b')).toBe(true);
  });

  test('region A lost: B promoted takes writes; A rebuilt as replicas of B streams them; stop() removes every server', async () => {
    const oldDirs = regions.a.nodes.map((node) => dirname(node.dataDir));
    await regions.killRegion('region-a');
    expect(regions.a.nodes.every((node) => !node.running())).toBe(true);
    await expect(sql(regions.a.nodes[0].url, 'SELECT 1')).rejects.toThrow();
    await expect(ssmClient(regions, 'region-a').send(new GetParameterCommand({ Name: TEST_REGION_CONFIG_PARAMETER }))).rejects.toThrow();

    for (const node of regions.b.nodes) {
      await node.promote();
      expect(await node.inRecovery()).toBe(false);
      await sql(node.url, 'INSERT INTO marks VALUES (100)');
    }
    regions.setHome('region-b');
    expect(regions.databases('region-b').home).toEqual(regions.b.nodes.map((node) => node.url));

    await regions.rebuildAsReplicas('region-a');
    expect(oldDirs.some((dir) => existsSync(dir))).toBe(false);
    for (const [i, node] of regions.a.nodes.entries()) {
      expect(await node.inRecovery()).toBe(true);
      expect((await sql<{ shard: number }>(node.url, 'SELECT shard FROM marks ORDER BY shard')).map((r) => r.shard)).toEqual([i, 100]);
      const [receiver] = await sql<{ sender_port: number }>(node.url, 'SELECT sender_port FROM pg_stat_wal_receiver');
      expect(receiver.sender_port).toBe(regions.oceanTo('region-b')[i].port);
    }
    // Through the ocean, A's copy is where B's address is: the proxy follows a rebuilt region.
    expect(await sql(regions.databases('region-b').home[0], 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(await sql(regions.oceanTo('region-a')[0].rewrite(regions.a.nodes[0].url), 'SELECT pg_is_in_recovery() AS r')).toEqual([{ r: true }]);

    const dirs = [...regions.a.nodes, ...regions.b.nodes].map((node) => dirname(node.dataDir));
    expect(dirs.every((dir) => existsSync(dir))).toBe(true);
    await regions.stop();
    expect(dirs.filter((dir) => existsSync(dir))).toEqual([]);
  });
});
