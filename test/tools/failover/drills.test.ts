import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type RunningApi } from '../../support/api-server';
import type { LatencyRouter } from '../../support/latency-router';
import { describeWithStreamingPostgres } from '../../support/streaming-postgres';
import { startTwoRegions, type TwoRegions } from '../../support/two-regions';
import { DrillTraffic, presentKeys, type DrillOutcome, type LedgerEntry } from './drill-traffic';
import { configIn, killTools, runTool } from './support';

/**
 * The regional failover and failback drills (docs/runbooks/failover.md,
 * failback.md) on two loopback regions: real PostgreSQL primaries in A and
 * streaming replicas in B, the production API bundle in each region reading
 * the region configuration from its region's SSM, a Redis per region, 40 ms
 * each way between the regions, and the latency router in front. Steady
 * traffic with a write ledger enters at region A's address (users near home).
 *
 * Failover: A's servers, Redis and API are killed; `npm run failover -- --to
 * region-b` promotes B; the router drains A; traffic continues against B.
 * Failback: A rebuilt as replicas of B, the failover re-run to write A's copy
 * of the configuration, A's API started, then a planned `--to region-a`
 * (B fenced, lag 0, A promoted). The figures go to test-results/failover/.
 */
const DELAY_MS = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isError = (o: DrillOutcome) => o.status === 'network' || o.status >= 500;
const isWriteOk = (o: DrillOutcome) => o.write && typeof o.status === 'number' && o.status < 300;

describeWithStreamingPostgres('region drills: failover to B with A lost, failback to A', () => {
  let regions: TwoRegions;
  let router: LatencyRouter;
  let traffic: DrillTraffic;
  const apis = new Map<string, RunningApi>();
  const dirs: string[] = [];
  const figures: Record<string, unknown> = {};

  const startRegionApi = async (region: string) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'graminsta-drill-'));
    dirs.push(dataDir);
    const { PORT: _port, HOST: _host, SHARD_MAP: _map, ...env } = regions.env(region);
    const api = await startApi({
      databaseUrl: '',
      dataDir,
      port: regions.region(region).apiPort,
      redisUrl: regions.region(region).redis.url,
      env: { ...env, DATABASE_URL: '', SHARD_MAP: JSON.stringify(regions.shardMap(region)), REGION_NAME: region, REGION_CONFIG_REFRESH_MS: '200' },
    });
    apis.set(region, api);
    return api;
  };
  /**
   * The failover tool's map for a move to `region`: each shard's home primary
   * (across the ocean) and `region`'s server. Written once and kept, as the
   * runbook says: a re-run takes the same map as the run it finishes.
   */
  const failoverMap = (region: string) => {
    const file = join(dirs[0], `failover-map-${region}.json`);
    if (!existsSync(file)) writeFileSync(file, JSON.stringify(regions.failoverMap(region)));
    return file;
  };

  beforeAll(async () => {
    regions = await startTwoRegions({ shards: 2, delayMs: DELAY_MS });
    dirs.push(mkdtempSync(join(tmpdir(), 'graminsta-drill-maps-')));
    // Home first: it migrates; B's replicas receive the schema.
    await startRegionApi('region-a');
    await startRegionApi('region-b');
    router = await regions.startRouter({ intervalMs: 100, failureThreshold: 3, timeoutMs: 300 });
    traffic = new DrillTraffic(() => router.entryFor('region-a'), { clients: 4, pauseMs: 15 });
    await traffic.prepare();
  }, 120_000);
  afterAll(async () => {
    await traffic?.stop();
    await killTools();
    await Promise.all([...apis.values()].map((api) => api.stop()));
    await regions?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    if (Object.keys(figures).length) {
      const out = join(__dirname, '..', '..', '..', 'test-results', 'failover');
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'drills.json'), `${JSON.stringify(figures, null, 2)}\n`);
    }
  });

  test('failover: A lost under traffic, the tool promotes B, traffic continues against B; no write acknowledged after the promotion is lost; B never exits', async () => {
    traffic.start();
    await sleep(1500);
    const killedAt = Date.now();
    const apiB = apis.get('region-b')!;
    await regions.killRegion('region-a');
    process.kill(apis.get('region-a')!.pid, 'SIGKILL');

    const toolStart = Date.now();
    const run = await runTool(regions, 'region-b', ['--to', 'region-b', '--map', failoverMap('region-b')]);
    const toolEnd = Date.now();
    expect(run.code).toBe(0);
    regions.setHome('region-b');
    const lagLines = run.stdout.split('\n').filter((line) => /^  primary-\d+: /.test(line));
    expect(lagLines).toHaveLength(2);
    for (const line of lagLines) expect(line).toMatch(/home unreachable \([^)]+\): lag unknown; last replayed transaction \S+/);
    const lastReplayed = lagLines.map((line) => Date.parse(/last replayed transaction (\S+)/.exec(line)![1]));

    // B takes writes once its API has read the new configuration.
    while (!traffic.outcomes.some((o) => o.at > toolEnd && isWriteOk(o)) && Date.now() - toolEnd < 10_000) await sleep(20);
    await sleep(1500);
    await traffic.stop();

    const writesBack = traffic.outcomes.find((o) => o.at > killedAt && isWriteOk(o));
    expect(writesBack).toBeDefined();
    const writesBackAt = writesBack!.at;
    const present = await presentKeys(regions.databases('region-b').local, traffic.ledger);
    const lost = traffic.ledger.filter((entry) => !present.has(entry.key));
    const afterPromotion = traffic.ledger.filter((entry) => entry.at > toolEnd);
    // Every lost write was acknowledged after the oldest last-replayed transaction the tool reported: the lag it saw bounds the loss.
    for (const entry of lost) expect(entry.at).toBeGreaterThan(Math.min(...lastReplayed));
    expect(afterPromotion.length).toBeGreaterThan(0);
    expect(afterPromotion.filter((entry) => !present.has(entry.key))).toEqual([]);
    expect(apiB.pid).toBeGreaterThan(0);
    expect(await Promise.race([apiB.exited.then(() => 'exited'), sleep(50).then(() => 'running')])).toBe('running');
    expect(router.routeFor('region-a')).toBe('region-b');
    expect(configIn(regions, 'region-b')).toMatchObject({ home: 'region-b', epoch: 2 });

    const switching = traffic.outcomes.filter((o) => o.at >= killedAt && o.at <= writesBackAt);
    figures.failover = {
      delayMsEachWay: DELAY_MS,
      writesAcknowledged: traffic.ledger.filter((e) => e.at <= killedAt).length,
      acknowledgedWritesLost: lost.length,
      lostWrites: lost.map((e) => ({ key: e.key, acknowledgedMsBeforeKill: killedAt - e.at })),
      lagReported: lagLines.map((line) => line.trim()),
      lastReplayedMsBeforeKill: lastReplayed.map((at) => killedAt - at),
      toolMs: toolEnd - toolStart,
      writesBackMsAfterKill: writesBackAt - killedAt,
      routerDrainedMsAfterKill: (router.changes.find((c) => c.region === 'region-a' && !c.healthy)?.at ?? NaN) - killedAt,
      errorsDuringSwitch: switching.filter(isError).length,
      requestsDuringSwitch: switching.length,
      writesAfterPromotion: afterPromotion.length,
      writesAfterPromotionLost: 0,
    };
    process.stdout.write(`failover drill: ${JSON.stringify(figures.failover)}\n`);
  });

  test('failback: A rebuilt as replicas of B, the configuration brought up to date, then a planned move home to A: ledger intact', async () => {
    // 1. Rebuild A from B (across the ocean), then bring A's copy of the configuration up to date before A's API starts.
    await regions.rebuildAsReplicas('region-a');
    const rerun = await runTool(regions, 'region-b', ['--to', 'region-b', '--map', failoverMap('region-b')]);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toMatch(/region-a: region configuration written \(home region-b, epoch 2\)/);
    expect(configIn(regions, 'region-a')).toMatchObject({ home: 'region-b', epoch: 2 });
    await startRegionApi('region-a');
    await router.waitFor('region-a', true, 15_000);

    const before = traffic.ledger.length;
    traffic.start();
    await sleep(1500);
    const movedAt = Date.now();
    const run = await runTool(regions, 'region-a', ['--to', 'region-a', '--map', failoverMap('region-a')]);
    const movedEnd = Date.now();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/planned move, lag 0 at promotion/);
    regions.setHome('region-a');
    while (!traffic.outcomes.some((o) => o.at > movedEnd && isWriteOk(o)) && Date.now() - movedEnd < 10_000) await sleep(20);
    await sleep(1000);
    await traffic.stop();

    expect(configIn(regions, 'region-a')).toMatchObject({ home: 'region-a', epoch: 3 });
    expect(configIn(regions, 'region-b')).toMatchObject({ home: 'region-a', epoch: 3 });
    // Every write acknowledged since the failover (in B, during the move, after it) is on A's servers.
    const failoverLost = new Set(((figures.failover as { lostWrites?: { key: string }[] })?.lostWrites ?? []).map((e) => e.key));
    const present = await presentKeys(regions.databases('region-a').local, traffic.ledger);
    const missing = traffic.ledger.filter((entry: LedgerEntry) => !present.has(entry.key) && !failoverLost.has(entry.key));
    expect(missing).toEqual([]);
    expect(traffic.ledger.length).toBeGreaterThan(before);
    const pause = traffic.outcomes.filter((o) => o.write && o.at >= movedAt);
    const firstOkAfter = pause.find((o) => isWriteOk(o) && o.at > movedEnd)?.at ?? NaN;
    figures.failback = {
      writesAcknowledgedDuringDrill: traffic.ledger.length - before,
      acknowledgedWritesLost: missing.length,
      toolMs: movedEnd - movedAt,
      writeErrorsDuringMove: pause.filter((o) => o.at <= firstOkAfter && isError(o)).length,
      writesBackMsAfterMoveStart: firstOkAfter - movedAt,
      lagReported: run.stdout.split('\n').filter((line) => /^  primary-\d+: /.test(line)).map((line) => line.trim()),
    };
    process.stdout.write(`failback drill: ${JSON.stringify(figures.failback)}\n`);
    expect(await Promise.race([apis.get('region-b')!.exited.then(() => 'exited'), sleep(50).then(() => 'running')])).toBe('running');
  });
});
