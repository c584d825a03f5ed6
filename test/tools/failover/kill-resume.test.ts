import { runStateParameter } from '../../../tools/failover/region-config-store';
import { parseRunState } from '../../../tools/failover/run-state';
import { sql } from '../../support/postgres-servers';
import { describeWithStreamingPostgres } from '../../support/streaming-postgres';
import { startTwoRegions, TEST_REGION_CONFIG_PARAMETER, type TwoRegions } from '../../support/two-regions';
import { configIn, killTools, runTool, startTool } from './support';

/**
 * Region A lost: `npm run failover -- --to region-b` killed (SIGKILL) at its
 * failpoints and re-run: each re-run continues, promotes nothing twice,
 * reports the lag the first run saw (home unreachable: unknown, with the last
 * replayed transaction's time); when A comes back, a re-run writes A's copy
 * of the configuration and fences A's old primaries.
 */
describeWithStreamingPostgres('npm run failover: region A lost, the tool killed mid-way and re-run', () => {
  let regions: TwoRegions;
  const state = () => parseRunState(regions.ssm.value('region-b', runStateParameter(TEST_REGION_CONFIG_PARAMETER))!);

  beforeAll(async () => {
    regions = await startTwoRegions({ shards: 2, delayMs: 5 });
    for (const node of regions.a.nodes) await sql(node.url, 'CREATE TABLE ledger (id int PRIMARY KEY); INSERT INTO ledger SELECT generate_series(1, 100)');
    for (const node of regions.b.nodes) {
      const deadline = Date.now() + 10_000;
      while ((await sql(node.url, `SELECT 1 FROM pg_class WHERE relname = 'ledger'`)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);
  afterEach(killTools);
  afterAll(async () => regions?.stop());

  test('killed after the first promotion: nothing else changed; the re-run is killed after the target region is written', async () => {
    await regions.killRegion('region-a');
    const first = startTool(regions, 'region-b', ['--to', 'region-b'], { FAILOVER_FAILPOINT: 'promoted-one' });
    await first.waitFor(/failpoint promoted-one reached/);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.stdout).toMatch(/primary-0: replica 127\.0\.0\.1:\d+ (NOT )?streaming; home unreachable \([^)]+\): lag unknown; last replayed transaction \S+ \(\d+\.\d s before the check\)/);
    expect(killed.stdout).toMatch(/plan \(home lost: its unreplicated writes are lost\)/);
    expect(state()).toMatchObject({ to: 'region-b', from: 'region-a', epoch: 2, planned: false, configWritten: [] });
    expect(state().doneAt).toBeUndefined();
    expect((await Promise.all(regions.b.nodes.map((node) => node.inRecovery()))).filter((standby) => !standby).length).toBeGreaterThanOrEqual(1);
    expect(configIn(regions, 'region-b')).toMatchObject({ home: 'region-a', epoch: 1 });

    const second = startTool(regions, 'region-b', ['--to', 'region-b'], { FAILOVER_FAILPOINT: 'config-target' });
    await second.waitFor(/failpoint config-target reached/);
    second.child.kill('SIGKILL');
    const resumed = await second.done;
    expect(resumed.stderr).toMatch(/resuming the run started/);
    // The lag reported is the first run's (saved before any change), not that of a promoted server.
    expect(resumed.stdout).toMatch(/replication lag seen before the run changed anything:\n  primary-0: .*home unreachable \([^)]+\): lag unknown/);
    expect(configIn(regions, 'region-b')).toMatchObject({ home: 'region-b', epoch: 2 });
    expect(state().configWritten).toEqual(['region-b']);
    for (const node of regions.b.nodes) expect(await node.inRecovery()).toBe(false);
  });

  test('the last re-run finishes: nothing promoted twice, region A not reached and said so; B takes writes', async () => {
    const run = await runTool(regions, 'region-b', ['--to', 'region-b']);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/promoting/);
    expect(run.stderr).toMatch(/region-a: not reached/);
    expect(run.stdout).toMatch(/failover to region-b done: home region-b, epoch 2 \(unplanned: writes the replicas had not received are lost; see the lag above\)/);
    expect(run.stdout).toMatch(/NOT reached: region-a \(re-run this command when they answer\)/);
    expect(state().doneAt).toBeDefined();
    for (const node of regions.b.nodes) {
      await sql(node.url, 'INSERT INTO ledger VALUES (1000)');
      expect(await sql(node.url, 'SELECT count(*)::int AS n FROM ledger')).toEqual([{ n: 101 }]);
    }
  });

  test('region A comes back writable with its old configuration: the re-run writes its copy and fences its old primaries', async () => {
    regions.ssm.setReachable('region-a', true);
    await Promise.all(regions.a.nodes.map((node) => node.restart()));
    regions.heal();
    expect(configIn(regions, 'region-a')).toMatchObject({ home: 'region-a', epoch: 1 });
    await sql(regions.a.nodes[0].url, 'INSERT INTO ledger VALUES (2000)');

    const run = await runTool(regions, 'region-b', ['--to', 'region-b']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/region-a: region configuration written \(home region-b, epoch 2\)/);
    expect(run.stderr).toMatch(/primary-0's old home primary 127\.0\.0\.1:\d+ answers again: fenced/);
    expect(run.stderr).not.toMatch(/promoting/);
    expect(configIn(regions, 'region-a')).toMatchObject({ home: 'region-b', epoch: 2 });
    for (const node of regions.a.nodes) await expect(sql(node.url, 'INSERT INTO ledger VALUES (3000)')).rejects.toThrow(/read-only transaction/);
  });
});

describeWithStreamingPostgres('npm run failover: a planned move whose home is lost mid-run', () => {
  let regions: TwoRegions;
  beforeAll(async () => {
    regions = await startTwoRegions({ shards: 2, delayMs: 5 });
  }, 60_000);
  afterEach(killTools);
  afterAll(async () => regions?.stop());

  test('killed before fencing, home lost, re-run: the shards fail over as from a lost home, reported as unplanned', async () => {
    const first = startTool(regions, 'region-b', ['--to', 'region-b'], { FAILOVER_FAILPOINT: 'state-written' });
    await first.waitFor(/failpoint state-written reached/);
    first.child.kill('SIGKILL');
    expect((await first.done).stdout).toMatch(/plan \(planned move: home answers\)/);
    await regions.killRegion('region-a');

    const run = await runTool(regions, 'region-b', ['--to', 'region-b']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/primary-0's home primary 127\.0\.0\.1:\d+ no longer answers: promoting without catch-up/);
    expect(run.stdout).toMatch(/unplanned: writes the replicas had not received are lost/);
    for (const node of regions.b.nodes) expect(await node.inRecovery()).toBe(false);
    expect(configIn(regions, 'region-b')).toMatchObject({ home: 'region-b', epoch: 2 });
  });
});
