import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type RunningApi } from '../../support/api-server';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { describeWithRedis, startRedis, type TestRedis } from '../../support/redis';
import { sleep, SteadyTraffic, stopAllTraffic, summarize, verify } from './traffic';

/**
 * Fault tests (issue 14; design invariant 10): the production bundle with
 * Redis for cache, sessions and rate limits (stages 100k and up), under
 * steady traffic with a write ledger, while Redis is SIGKILLed and restarted
 * empty, then paused (SIGSTOP) for 10 s. Same pass conditions as the
 * PostgreSQL faults. An empty Redis finds sessions again in PostgreSQL
 * (SESSIONS_DATABASE_FALLBACK, on by default); without it they are gone, and
 * clients would get 401 and log in again, as the traffic's clients do.
 */
describeWithRedis('Redis faults under steady traffic', () => {
  let pg: TestPostgres;
  let redis: TestRedis;
  let api: RunningApi;
  let dataDir: string;
  let exitedOnItsOwn: number | null | undefined;

  beforeAll(async () => {
    pg = await startPostgres();
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'graminsta-faults-redis-'));
    api = await startApi({ databaseUrl: pg.url, redisUrl: redis.url, dataDir, env: { LOG_LEVEL: 'error' } });
    void api.exited.then((code) => (exitedOnItsOwn = code));
  });
  afterEach(stopAllTraffic);
  afterAll(async () => {
    await api?.stop();
    await redis?.stop();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test.each([
    ['Redis killed and restarted empty', 'kill'],
    ['Redis paused 10 s', 'pause'],
  ] as const)('%s', async (fault, how) => {
    const traffic = new SteadyTraffic(() => api.url);
    await traffic.prepare();
    traffic.start();
    await sleep(1_500);
    const faultStart = Date.now();
    if (how === 'kill') {
      await redis.kill();
      await redis.start();
    } else {
      redis.pause();
      await sleep(10_000);
      redis.resume();
    }
    const back = Date.now();
    await sleep(6_000);
    await traffic.stop();

    const { lost, inconsistent } = await verify(pg.url, dataDir, traffic.ledger);
    const report = summarize(fault, traffic, faultStart, back, lost.length);
    expect(exitedOnItsOwn).toBeUndefined();
    // 401 only where an empty Redis has lost sessions the fallback did not bring back.
    const allowed = ['200', '201', '204', '503', ...(how === 'kill' ? ['401'] : [])];
    expect(Object.keys(report.byStatus).filter((status) => !allowed.includes(status))).toEqual([]);
    expect(report.withoutRetryAfter).toBe(0);
    expect(report.recoveryMs).toBeLessThanOrEqual(5_000);
    expect(lost).toEqual([]);
    expect(inconsistent).toEqual([]);
  }, 90_000);
});
