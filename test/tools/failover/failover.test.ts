import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStateParameter } from '../../../tools/failover/region-config-store';
import { freePort } from '../../support/free-port';
import { sql } from '../../support/postgres-servers';
import { describeWithStreamingPostgres } from '../../support/streaming-postgres';
import { startTwoRegions, TEST_REGION_CONFIG_PARAMETER, type TwoRegions } from '../../support/two-regions';
import { configIn, killTools, runTool } from './support';

/**
 * `npm run failover` on two loopback regions (test/support/two-regions.ts),
 * home A still answering: each refusal changes nothing, the dry run changes
 * nothing, a planned move fences A, waits for lag 0, promotes B and writes the
 * configuration in both regions; a re-run does nothing twice.
 */
describeWithStreamingPostgres('npm run failover: refusals, dry run, a planned move, a re-run', () => {
  let regions: TwoRegions;
  let dir: string;
  const before = async () => ({
    a: configIn(regions, 'region-a'),
    b: configIn(regions, 'region-b'),
    standbys: await Promise.all(regions.b.nodes.map((node) => node.inRecovery())),
    primariesWritable: await Promise.all(regions.a.nodes.map(async (node) => (await sql<{ default_transaction_read_only: string }>(node.url, 'SHOW default_transaction_read_only'))[0].default_transaction_read_only)),
    state: regions.ssm.value('region-b', runStateParameter(TEST_REGION_CONFIG_PARAMETER)),
  });

  beforeAll(async () => {
    regions = await startTwoRegions({ shards: 2, delayMs: 5 });
    dir = mkdtempSync(join(tmpdir(), 'graminsta-failover-test-'));
    for (const node of regions.a.nodes) await sql(node.url, 'CREATE TABLE ledger (id int PRIMARY KEY)');
  }, 60_000);
  afterEach(killTools);
  afterAll(async () => {
    await regions?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    [['--to', 'region-c'], /refused: cannot read the region configuration in region-c .*unknown region/],
    [['--to', 'region-a'], /refused: region-a is already home \(epoch 1\)/],
    [['--to', 'Mars'], /--to: "Mars" is not a region name/],
  ])('%j is refused with exit 2, nothing changed', async (args, message) => {
    const start = await before();
    const run = await runTool(regions, 'region-b', args);
    expect(run.stderr).toMatch(message);
    expect(run.code).toBe(2);
    expect(await before()).toEqual(start);
  });

  test('a shard without a replica, or whose replica does not answer, is refused by name', async () => {
    const start = await before();
    const map = regions.failoverMap('region-b');
    const noReplica = join(dir, 'no-replica.json');
    writeFileSync(noReplica, JSON.stringify({ ...map, primaries: [map.primaries[0], { ...map.primaries[1], replicaUrls: [] }] }));
    const missing = await runTool(regions, 'region-b', ['--to', 'region-b', '--map', noReplica]);
    expect(missing.stderr).toMatch(/primary-1 has 0 replicas in the shard map; the failover needs exactly one per shard/);
    expect(missing.code).toBe(2);

    const deadReplica = join(dir, 'dead-replica.json');
    const dead = `postgres://postgres:x@127.0.0.1:${await freePort()}/postgres`;
    writeFileSync(deadReplica, JSON.stringify({ ...map, primaries: [{ ...map.primaries[0], replicaUrls: [dead] }, map.primaries[1]] }));
    const unreachable = await runTool(regions, 'region-b', ['--to', 'region-b', '--map', deadReplica]);
    expect(unreachable.stderr).toMatch(/refused: region-b is not ready:\nfailover: primary-0: its replica 127\.0\.0\.1:\d+ does not answer \(ECONNREFUSED\): replica missing\?\nfailover: nothing changed/);
    expect(unreachable.code).toBe(2);
    expect(await before()).toEqual(start);
  });

  test('a replica that does not stream while home answers (broken replication) is refused', async () => {
    const start = await before();
    // The replica streams across the ocean; cut it, and let the tool reach home directly.
    const map = regions.failoverMap('region-b');
    const direct = join(dir, 'direct-home.json');
    writeFileSync(direct, JSON.stringify({ ...map, primaries: map.primaries.map((p, i) => ({ ...p, url: regions.a.nodes[i].url })) }));
    regions.partition();
    try {
      await waitFor(async () => (await sql<{ n: string }>(regions.b.nodes[0].url, `SELECT count(*) AS n FROM pg_stat_wal_receiver WHERE status = 'streaming'`))[0].n === '0');
      const run = await runTool(regions, 'region-b', ['--to', 'region-b', '--map', direct]);
      expect(run.stderr).toMatch(/primary-0: its replica 127\.0\.0\.1:\d+ is not streaming although home answers: replication is broken/);
      expect(run.code).toBe(2);
    } finally {
      regions.heal();
    }
    await waitFor(async () => (await sql<{ n: string }>(regions.b.nodes[0].url, `SELECT count(*) AS n FROM pg_stat_wal_receiver WHERE status = 'streaming'`))[0].n === '1');
    expect(await before()).toEqual(start);
  });

  test('--dry-run reports the lag per shard in bytes and seconds and the plan, and changes nothing', async () => {
    await sql(regions.a.nodes[0].url, 'INSERT INTO ledger SELECT generate_series(1, 1000)');
    const start = await before();
    const run = await runTool(regions, 'region-b', ['--to', 'region-b', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^failover region-a -> region-b \(region configuration epoch 1 -> 2\)$/m);
    for (const shard of ['primary-0', 'primary-1']) expect(run.stdout).toMatch(new RegExp(`^  ${shard}: replica 127\\.0\\.0\\.1:\\d+ streaming; behind home by \\d+ bytes, \\d+\\.\\d s \\(\\d+ bytes not yet received\\); `, 'm'));
    expect(run.stdout).toMatch(/plan \(planned move: home answers\): fence home primaries of primary-0, primary-1 and wait for lag 0 → promote 2 replicas/);
    expect(run.stdout).toMatch(/^  primary-1 is promoted with pg_promote\(\) over SQL \(its replica is a URL: a PostgreSQL server reached directly; fence: ALTER SYSTEM on the home primary\)$/m);
    expect(run.stdout).toMatch(/^dry run: nothing changed$/m);
    expect(await before()).toEqual(start);
  });

  test('replicas that do not catch up after the fence: home unfenced, nothing promoted, exit 1; the configuration unchanged', async () => {
    const start = await before();
    // Replay paused on one replica: it receives home's WAL but never reaches lag 0.
    await sql(regions.b.nodes[1].url, 'SELECT pg_wal_replay_pause()');
    try {
      await sql(regions.a.nodes[1].url, 'INSERT INTO ledger SELECT generate_series(1001, 1100)');
      const run = await runTool(regions, 'region-b', ['--to', 'region-b', '--catch-up-timeout-ms', '1000']);
      expect(run.stderr).toMatch(/replicas did not catch up within 1000 ms \(primary-1 \d+ bytes behind\): home unfenced, nothing promoted/);
      expect(run.code).toBe(1);
    } finally {
      await sql(regions.b.nodes[1].url, 'SELECT pg_wal_replay_resume()');
    }
    const after = await before();
    expect({ ...after, state: undefined }).toEqual({ ...start, state: undefined });
    // The run stays open (fences forgotten): the next run resumes it.
    expect(JSON.parse(after.state!)).toMatchObject({ to: 'region-b', epoch: 2, fenced: [], promoting: [] });
  });

  test('a planned move: home fenced, lag 0, replicas promoted, configuration in both regions; every acknowledged write is on B', async () => {
    for (const node of regions.a.nodes) await sql(node.url, 'INSERT INTO ledger SELECT generate_series(2001, 2100)');
    const run = await runTool(regions, 'region-b', ['--to', 'region-b']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/fencing primary-0's home primary/);
    expect(run.stderr).toMatch(/replicas caught up \(lag 0 bytes\): primary-0, primary-1/);
    expect(run.stderr.indexOf('region-b: region configuration written')).toBeLessThan(run.stderr.indexOf('region-a: region configuration written'));
    expect(run.stdout).toMatch(/failover to region-b done: home region-b, epoch 2 \(planned move, lag 0 at promotion\)/);
    expect(configIn(regions, 'region-a')).toMatchObject({ home: 'region-b', epoch: 2 });
    expect(configIn(regions, 'region-b')).toMatchObject({ home: 'region-b', epoch: 2, regions: regions.initialConfig.regions });
    for (const [i, node] of regions.b.nodes.entries()) {
      expect(await node.inRecovery()).toBe(false);
      expect(await sql(node.url, 'SELECT count(*)::int AS n FROM ledger')).toEqual(await sql(regions.a.nodes[i].url, 'SELECT count(*)::int AS n FROM ledger'));
      await sql(node.url, 'INSERT INTO ledger VALUES (5000)');
    }
    // The old home refuses writes (fenced), so a stale writer cannot split the data.
    await expect(sql(regions.a.nodes[0].url, 'INSERT INTO ledger VALUES (6000)')).rejects.toThrow(/read-only transaction/);
  });

  test('re-running the finished failover changes nothing and says so', async () => {
    const start = await before();
    const again = await runTool(regions, 'region-b', ['--to', 'region-b']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/run finished at .*: bringing every region up to date/);
    expect(again.stderr).toMatch(/region-a: already at epoch 2: skipped/);
    expect(again.stderr).not.toMatch(/promoting|fencing/);
    expect(await before()).toEqual(start);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
