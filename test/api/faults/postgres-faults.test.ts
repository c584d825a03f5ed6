import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type RunningApi } from '../../support/api-server';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { sleep, SteadyTraffic, stopAllTraffic, summarize, verify } from './traffic';

/**
 * Fault tests (issue 14; design invariant 10): the production bundle under
 * steady traffic with a write ledger while PostgreSQL restarts fast, then
 * stays down for 10 s. The process never exits; errors during the fault are
 * 503 with Retry-After, never 500; it serves again within 5 s of PostgreSQL's
 * return, with no restart; no acknowledged write is lost; counters equal
 * COUNT(*); no file without its photo. Sessions live in PostgreSQL here
 * (stages before 100k), so every request needs it.
 */
describe('PostgreSQL faults under steady traffic', () => {
  let pg: TestPostgres;
  let api: RunningApi;
  let dataDir: string;
  let exitedOnItsOwn: number | null | undefined;

  beforeAll(async () => {
    pg = await startPostgres();
    dataDir = mkdtempSync(join(tmpdir(), 'graminsta-faults-pg-'));
    api = await startApi({ databaseUrl: pg.url, dataDir, env: { LOG_LEVEL: 'error' } });
    void api.exited.then((code) => (exitedOnItsOwn = code));
  });
  afterEach(stopAllTraffic);
  afterAll(async () => {
    await api?.stop();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test.each([
    ['PostgreSQL restarted fast', 0],
    ['PostgreSQL stopped 10 s', 10_000],
  ])('%s', async (fault, downMs) => {
    const traffic = new SteadyTraffic(() => api.url);
    await traffic.prepare();
    traffic.start();
    await sleep(1_500);
    const faultStart = Date.now();
    await pg.stopServer();
    await sleep(downMs);
    await pg.startServer();
    const back = Date.now();
    await sleep(6_000);
    await traffic.stop();

    const { lost, inconsistent } = await verify(pg.url, dataDir, traffic.ledger);
    const report = summarize(fault, traffic, faultStart, back, lost.length);
    expect(exitedOnItsOwn).toBeUndefined();
    expect(Object.keys(report.byStatus).filter((status) => !['200', '201', '204', '503'].includes(status))).toEqual([]);
    expect(report.errors).toBeGreaterThan(0);
    expect(report.withoutRetryAfter).toBe(0);
    expect(report.recoveryMs).toBeLessThanOrEqual(5_000);
    expect(lost).toEqual([]);
    expect(inconsistent).toEqual([]);
  }, 90_000);
});
