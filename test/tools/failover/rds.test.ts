import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqlDatabaseControl } from '../../../tools/failover/control';
import { runStateParameter } from '../../../tools/failover/region-config-store';
import { parseRunState } from '../../../tools/failover/run-state';
import { sql } from '../../support/postgres-servers';
import { describeWithStreamingPostgres } from '../../support/streaming-postgres';
import { TEST_REGION_CONFIG_PARAMETER } from '../../support/two-regions';
import { ROLE, SHARD_MAP_PARAMETER, startAwsLayout, waitFor, type AwsLayout } from './aws-layout';
import { configIn, killTools, runTool, startTool } from './support';

/**
 * `npm run failover` on stage 10m's AWS layout (aws-layout.ts): the second
 * region's shard map in its SSM lists each primary as `{ secretArn, host }`
 * (its RDS replica on the home primary's replicated secret), the replicas are
 * promoted through the RDS API (test/support/rds-api-stand-in.ts, over the
 * real streaming standbys), the fence is the secret's role set read-only
 * (the role is no superuser, as RDS's master user is not).
 */
const rolesSettings = async (url: string) => (await sql<{ setconfig: string[] | null }>(url, `SELECT setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = $1`, [ROLE])).map((row) => row.setconfig);

describeWithStreamingPostgres('npm run failover on RDS: dry run, refusals, a planned move with the role fence', () => {
  let aws: AwsLayout;
  let dir: string;
  const snapshot = async () => ({
    a: configIn(aws.regions, 'region-a'),
    b: configIn(aws.regions, 'region-b'),
    standbys: await Promise.all(aws.regions.b.nodes.map((node) => node.inRecovery())),
    roleSettings: await Promise.all(aws.regions.a.nodes.map((node) => rolesSettings(node.url))),
    promotions: aws.rds.calls.filter((call) => call.action === 'PromoteReadReplica').length,
    state: aws.regions.ssm.value('region-b', runStateParameter(TEST_REGION_CONFIG_PARAMETER)),
  });

  beforeAll(async () => {
    aws = await startAwsLayout();
    dir = mkdtempSync(join(tmpdir(), 'graminsta-failover-rds-'));
  }, 90_000);
  afterEach(killTools);
  afterAll(async () => {
    await aws?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('--dry-run: the lag, and per shard the RDS instance found by its endpoint and why; nothing changed', async () => {
    const start = await snapshot();
    const run = await runTool(aws.regions, 'region-b', ['--to', 'region-b', '--dry-run'], aws.toolEnv());
    expect(run.stderr).toMatch(/failover: checking 2 shards' replicas in region-b and the home primaries in region-a\n$/);
    expect(run.stderr).not.toMatch(/fencing|promoting|PromoteReadReplica/);
    expect(run.code).toBe(0);
    for (const shard of [0, 1]) {
      expect(run.stdout).toMatch(new RegExp(`^  primary-${shard}: replica 127\\.0\\.0\\.1:${aws.regions.b.nodes[shard].port} streaming; behind home by \\d+ bytes`, 'm'));
      expect(run.stdout).toMatch(
        new RegExp(
          `^  primary-${shard} is promoted with RDS PromoteReadReplica of DB instance graminsta-b-${shard} in region-b \\(its replica is given by host \\(127\\.0\\.0\\.1:${aws.regions.b.nodes[shard].port}\\) on a credentials secret: the RDS instance with that endpoint in region-b, a read replica of arn:aws:rds:region-a:123456789012:db:graminsta-a-${shard}; fence: the secret's role set read-only\\)$`,
          'm',
        ),
      );
    }
    expect(run.stdout).toMatch(/plan \(planned move: home answers\): fence home primaries of primary-0, primary-1 and wait for lag 0 → promote 2 replicas \(each as below\) → lift the fence that reaches replicas through WAL on the promoted servers of primary-0, primary-1 → write the region configuration/);
    expect(run.stdout).toMatch(/^dry run: nothing changed$/m);
    expect(await snapshot()).toEqual(start);
  });

  test('a replica host no RDS instance has, or an RDS API that does not answer: refused by name, nothing changed', async () => {
    const start = await snapshot();
    const map = JSON.parse(aws.regions.ssm.value('region-b', SHARD_MAP_PARAMETER)!) as { primaries: { host: string }[] };
    const file = join(dir, 'unknown-host.json');
    writeFileSync(file, JSON.stringify({ ...map, primaries: [map.primaries[0], { ...map.primaries[1], host: '127.0.0.1:1' }] }));
    const unknown = await runTool(aws.regions, 'region-b', ['--to', 'region-b', '--map', file], aws.toolEnv());
    expect(unknown.stderr).toMatch(/refused: primary-1: no RDS DB instance in region-b has the endpoint 127\.0\.0\.1:1 \(its replica's host in the shard map\)\nfailover: nothing changed/);
    expect(unknown.code).toBe(2);

    aws.rds.setReachable('region-b', false);
    try {
      const unreachable = await runTool(aws.regions, 'region-b', ['--to', 'region-b'], aws.toolEnv());
      expect(unreachable.stderr).toMatch(/refused: cannot list the RDS DB instances in region-b \([^)]+\): the replicas given by host are RDS instances, promoted with the RDS API/);
      expect(unreachable.code).toBe(2);
    } finally {
      aws.rds.setReachable('region-b', true);
    }
    expect(await snapshot()).toEqual({ ...start, promotions: 0 });
  }, 60_000);

  test('why the RDS fence is the role: ALTER SYSTEM (the SQL control) is refused to a role that is no superuser', async () => {
    await expect(sqlDatabaseControl.fence({ connectionString: aws.asRole(aws.regions.a.nodes[0].url) })).rejects.toThrow(/ALTER SYSTEM|permission denied/);
    expect(await rolesSettings(aws.regions.a.nodes[0].url)).toEqual([]);
  });

  test('a planned move run from the home region: role fenced, lag 0, PromoteReadReplica once per shard, replicas unfenced and writable; the old home refuses the role writes', async () => {
    for (const node of aws.regions.a.nodes) await sql(aws.asRole(node.url), 'INSERT INTO ledger SELECT generate_series(1, 500)');
    // The operator's default region is the old home: the map is still read in the target region's SSM.
    const run = await runTool(aws.regions, 'region-b', ['--to', 'region-b'], { ...aws.toolEnv(), AWS_REGION: 'region-a', AWS_DEFAULT_REGION: 'region-a' });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/fencing primary-0's home primary 127\.0\.0\.1:\d+ \(new transactions read-only, sessions ended\)/);
    expect(run.stderr).toMatch(/replicas caught up \(lag 0 bytes\): primary-0, primary-1/);
    for (const shard of [0, 1]) {
      expect(run.stderr).toMatch(new RegExp(`primary-${shard}: RDS accepted PromoteReadReplica of graminsta-b-${shard} \\(automated backups kept 7 days\\)`));
      expect(run.stderr).toMatch(new RegExp(`primary-${shard}: graminsta-b-${shard}: modifying, still a replica \\(\\d+ s so far\\)`));
      expect(run.stderr).toMatch(new RegExp(`primary-${shard}: graminsta-b-${shard} is available and out of recovery`));
      expect(run.stderr).toMatch(new RegExp(`primary-${shard}'s promoted server: the fence that came with the WAL lifted`));
    }
    expect(run.stderr.indexOf('the fence that came with the WAL lifted')).toBeLessThan(run.stderr.indexOf('region-b: region configuration written'));
    expect(run.stdout).toMatch(/failover to region-b done: home region-b, epoch 2 \(planned move, lag 0 at promotion\)/);
    // The secrets were read where their ARN says (region-b's replicated copies), not in the operator's default region.
    expect(new Set(aws.secrets.signedRegions.values())).toEqual(new Set(['region-b']));
    expect(configIn(aws.regions, 'region-a')).toMatchObject({ home: 'region-b', epoch: 2 });
    expect(configIn(aws.regions, 'region-b')).toMatchObject({ home: 'region-b', epoch: 2 });

    for (const [shard, node] of aws.regions.b.nodes.entries()) {
      const instance = aws.rds.instance('region-b', aws.replicaId(shard));
      expect({ status: instance.status, replicaOf: instance.replicaOf, backups: instance.backupRetentionPeriod, calls: aws.rds.promoteCalls(instance.id) }).toEqual({ status: 'available', replicaOf: undefined, backups: 7, calls: 1 });
      expect(await node.inRecovery()).toBe(false);
      // The role's read-only setting came with the WAL; lifted, so the role writes.
      expect(await rolesSettings(node.url)).toEqual([]);
      await sql(aws.asRole(node.url), 'INSERT INTO ledger VALUES (5000)');
      expect(await sql(node.url, 'SELECT count(*)::int AS n FROM ledger')).toEqual([{ n: 501 }]);
    }
    for (const node of aws.regions.a.nodes) {
      await expect(sql(aws.asRole(node.url), 'INSERT INTO ledger VALUES (6000)')).rejects.toThrow(/read-only transaction/);
      // The fence is the role's, not the server's: nothing was set with ALTER SYSTEM.
      expect(await sql(node.url, 'SHOW default_transaction_read_only')).toEqual([{ default_transaction_read_only: 'off' }]);
    }
  }, 90_000);
});

describeWithStreamingPostgres('npm run failover on RDS: home lost, the tool killed while RDS promotes, a timeout, the re-run', () => {
  let aws: AwsLayout;
  const state = () => parseRunState(aws.regions.ssm.value('region-b', runStateParameter(TEST_REGION_CONFIG_PARAMETER))!);

  beforeAll(async () => {
    aws = await startAwsLayout();
    for (const node of aws.regions.a.nodes) await sql(aws.asRole(node.url), 'INSERT INTO ledger SELECT generate_series(1, 100)');
    for (const node of aws.regions.b.nodes) await waitFor(async () => (await sql<{ n: number }>(node.url, 'SELECT count(*)::int AS n FROM ledger'))[0].n === 100);
  }, 90_000);
  afterEach(killTools);
  afterAll(async () => aws?.stop());

  test('killed while the instances are modifying; the re-run waits for the same promotions, times out with a resumable error, the last run finishes; one PromoteReadReplica per shard', async () => {
    aws.rds.holdPromotions();
    await aws.regions.killRegion('region-a');

    const first = startTool(aws.regions, 'region-b', ['--to', 'region-b'], aws.toolEnv());
    await first.waitFor(/RDS accepted PromoteReadReplica of graminsta-b-0[\s\S]*graminsta-b-1|RDS accepted PromoteReadReplica of graminsta-b-1[\s\S]*graminsta-b-0/);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.stdout).toMatch(/primary-0: replica 127\.0\.0\.1:\d+ (NOT )?streaming; home unreachable \([^)]+\): lag unknown; last replayed transaction/);
    expect(state()).toMatchObject({ planned: false, fenced: [], promoting: expect.arrayContaining(['primary-0', 'primary-1']), configWritten: [] });

    const timedOut = await runTool(aws.regions, 'region-b', ['--to', 'region-b', '--promote-timeout-ms', '1500'], aws.toolEnv());
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toMatch(/resuming the run started/);
    expect(timedOut.stderr).toMatch(
      /promoting primary-\d's replica failed: primary-\d: RDS instance graminsta-b-\d in region-b was not promoted within 2 s \(modifying, still a replica; PostgreSQL still in recovery or not answering\): re-running the same command resumes/,
    );
    expect(configIn(aws.regions, 'region-b')).toMatchObject({ home: 'region-a', epoch: 1 });

    aws.rds.release();
    const last = await runTool(aws.regions, 'region-b', ['--to', 'region-b'], aws.toolEnv());
    expect(last.code).toBe(0);
    expect(last.stderr).not.toMatch(/RDS accepted PromoteReadReplica/);
    expect(last.stdout).toMatch(/failover to region-b done: home region-b, epoch 2 \(unplanned: writes the replicas had not received are lost; see the lag above\)/);
    for (const [shard, node] of aws.regions.b.nodes.entries()) {
      expect(aws.rds.promoteCalls(aws.replicaId(shard))).toBe(1);
      expect(aws.rds.instance('region-b', aws.replicaId(shard)).status).toBe('available');
      await sql(aws.asRole(node.url), 'INSERT INTO ledger VALUES (1000)');
      expect(await sql(node.url, 'SELECT count(*)::int AS n FROM ledger')).toEqual([{ n: 101 }]);
    }
    expect(configIn(aws.regions, 'region-b')).toMatchObject({ home: 'region-b', epoch: 2 });
    expect(state().doneAt).toBeDefined();
  }, 120_000);
});

describeWithStreamingPostgres('npm run failover on RDS: a planned move killed while the promoted instances reboot', () => {
  let aws: AwsLayout;
  beforeAll(async () => {
    aws = await startAwsLayout();
  }, 90_000);
  afterEach(killTools);
  afterAll(async () => aws?.stop());

  test('the re-run neither fences again nor gives up on a replica that does not answer: it waits for the reboot (bounded), then finishes with lag 0', async () => {
    for (const node of aws.regions.a.nodes) await sql(aws.asRole(node.url), 'INSERT INTO ledger SELECT generate_series(1, 300)');
    aws.rds.holdPromotions('rebooting');
    const first = startTool(aws.regions, 'region-b', ['--to', 'region-b'], aws.toolEnv());
    await first.waitFor(/graminsta-b-0: rebooting[\s\S]*graminsta-b-1: rebooting|graminsta-b-1: rebooting[\s\S]*graminsta-b-0: rebooting/);
    first.child.kill('SIGKILL');
    expect((await first.done).stdout).toMatch(/plan \(planned move: home answers\)/);

    const waiting = await runTool(aws.regions, 'region-b', ['--to', 'region-b', '--promote-timeout-ms', '1500'], aws.toolEnv());
    expect(waiting.code).toBe(1);
    expect(waiting.stderr).not.toMatch(/fencing/);
    expect(waiting.stderr).toMatch(/RDS instance graminsta-b-\d in region-b was not promoted within 2 s \(rebooting, still a replica; PostgreSQL still in recovery or not answering\): re-running the same command resumes/);

    aws.rds.release();
    const last = await runTool(aws.regions, 'region-b', ['--to', 'region-b'], aws.toolEnv());
    expect(last.code).toBe(0);
    expect(last.stdout).toMatch(/failover to region-b done: home region-b, epoch 2 \(planned move, lag 0 at promotion\)/);
    for (const [shard, node] of aws.regions.b.nodes.entries()) {
      expect(aws.rds.promoteCalls(aws.replicaId(shard))).toBe(1);
      await sql(aws.asRole(node.url), 'INSERT INTO ledger VALUES (1000)');
      expect(await sql(node.url, 'SELECT count(*)::int AS n FROM ledger')).toEqual([{ n: 301 }]);
    }
  }, 120_000);
});
