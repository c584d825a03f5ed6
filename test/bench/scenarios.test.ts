import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BenchEnvironment, ServerKey } from '../../bench/environment';
import { checkSameAnswers } from '../../bench/same-answers';
import { checkText } from '../../bench/report/targets';
import { buildScenarios, type Scenario } from '../../bench/scenarios';
import { DataSet } from '../../bench/seed/data-set';

const dataSet = new DataSet({ users: 300, photos: 1000, follows: 2000, readerFollows: 50 });

function env(keys: readonly ServerKey[], layout: boolean, urls: Partial<Record<ServerKey, string>> = {}): BenchEnvironment {
  const servers = Object.fromEntries(keys.map((k) => [k, { name: k, url: urls[k] ?? `http://127.0.0.1:1/${k}`, pid: 1, stop: async () => undefined }]));
  return {
    seed: { dataSet } as BenchEnvironment['seed'],
    databaseUrl: 'postgres://unused',
    servers,
    hotUserIds: ['1'],
    ...(layout ? { shardLayout: { servers: [], postmasterPids: [] } } : {}),
    postgresPidsFor: () => [],
    spawnCopy: () => Promise.reject(new Error('no servers in this test')),
    stop: async () => undefined,
  } as BenchEnvironment;
}

const ONE: ServerKey[] = ['http-baseline', 'redis-baseline', 'pg-baseline', 'api-cache', 'api-redis-only', 'api-db', 'api-queue'];
const ALL: ServerKey[] = [...ONE, 'api-cache-shards', 'api-db-shards', 'api-queue-shards'];
const tokens = { 'api-cache': 't1', 'api-cache-shards': 't2', 'api-queue': 't3', 'api-queue-shards': 't4' };
const build = (e: BenchEnvironment) =>
  buildScenarios({ env: e, readerTokens: tokens, readerId: '1', writers: [{ token: 'w', userId: '2' }], loginUsernames: ['a'], feedConnections: [10, 50], connections: 10 });

describe('the issue\'s targets', () => {
  test('each API scenario is judged on exactly the targets the issue sets, by the measure it names', () => {
    const scenarios = build(env(ALL, true));
    const targets = Object.fromEntries(scenarios.filter((s) => s.target).map((s) => [s.id, s.target!.map((c) => checkText(c, s.comparesCpuWith)).join(' and ')]));
    expect(targets).toEqual({
      'api-user-cached': 'req/s ≥ 80% of baseline and per-core ≥ 70% of baseline',
      'api-user-redis': 'req/s ≥ 85% of baseline (keep)',
      'api-user-db': 'req/s ≥ 90% of baseline',
      'api-user-photos': 'req/s ≥ 90% of baseline',
      'api-feed-c10': 'p99 < 25 ms and req/s ≥ 90% of baseline',
      'api-feed-fanout-c10': "API + PostgreSQL CPU/req ≤ 50% of api-feed-c10's",
      'api-feed-fanout-c50': "API + PostgreSQL CPU/req ≤ 50% of api-feed-c50's",
      'api-create-photo': 'req/s ≥ 75% of baseline',
    });
  });

  test('the fan-out feed is compared with the pull feed scenario at its own connection count', () => {
    const scenarios = build(env(ALL, true));
    const compared = scenarios
      .filter((s) => s.comparesCpuWith)
      .map((s) => {
        const pull = scenarios.find((p) => p.id === s.comparesCpuWith)!;
        return [s.id, s.connections, pull.id, pull.server, pull.connections];
      });
    expect(compared).toEqual([
      ['api-feed-fanout-c10', 10, 'api-feed-c10', 'api-cache', 10],
      ['api-feed-fanout-c50', 50, 'api-feed-c50', 'api-cache', 50],
    ]);
  });
});

describe('benchmark scenarios on a shard layout', () => {
  test('with a layout, the profile, photo-list and both feeds get a twin on the sharded API, each naming its one-server scenario', () => {
    const twins = build(env(ALL, true)).filter((s) => s.comparesWith);
    expect(twins.map((s) => [s.id, s.server, s.comparesWith])).toEqual([
      ['api-user-db-shards', 'api-db-shards', 'api-user-db'],
      ['api-user-photos-shards', 'api-cache-shards', 'api-user-photos'],
      ['api-feed-c10-shards', 'api-cache-shards', 'api-feed-c10'],
      ['api-feed-c50-shards', 'api-cache-shards', 'api-feed-c50'],
      ['api-feed-fanout-c10-shards', 'api-queue-shards', 'api-feed-fanout-c10'],
      ['api-feed-fanout-c50-shards', 'api-queue-shards', 'api-feed-fanout-c50'],
    ]);
    // Each twin reads the feed with the reader's session on its own API.
    expect(twins.find((s) => s.id === 'api-feed-c10-shards')!.next().headers).toEqual({ authorization: 'Bearer t2' });
    expect(twins.find((s) => s.id === 'api-feed-fanout-c10-shards')!.next().headers).toEqual({ authorization: 'Bearer t4' });
  });

  test('without a layout there is no twin', () => {
    expect(build(env(ONE, false)).filter((s) => s.comparesWith)).toEqual([]);
  });
});

describe('checkSameAnswers', () => {
  const servers: Server[] = [];
  const serve = async (body: (path: string) => string) => {
    const server = createServer((req, res) => res.end(body(req.url!)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });
  const pair = (): Scenario[] => {
    let n = 0;
    const one: Scenario = { id: 'api-user-db', title: 't', side: 'api', server: 'api-db', method: 'GET', path: '/u', connections: 1, next: () => ({ path: `/u/${n++}` }) };
    return [one, { ...one, id: 'api-user-db-shards', server: 'api-db-shards', comparesWith: 'api-user-db', next: () => ({ path: `/u/${n++ + 1000}` }) }];
  };

  test('passes when the twin answers the same path with the same bytes', async () => {
    const urls = { 'api-db': await serve((p) => `user ${p}`), 'api-db-shards': await serve((p) => `user ${p}`) };
    await expect(checkSameAnswers(env(['api-db', 'api-db-shards'], true, urls), pair(), 3)).resolves.toBe(1);
  });

  test('fails, naming both scenarios, when the twin answers differently', async () => {
    const urls = { 'api-db': await serve((p) => `user ${p}`), 'api-db-shards': await serve(() => 'user missing') };
    await expect(checkSameAnswers(env(['api-db', 'api-db-shards'], true, urls), pair(), 3)).rejects.toThrow(/api-user-db-shards answered \/u\/0 differently from api-user-db/);
  });
});
