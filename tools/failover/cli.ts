import { CliError, runCli } from '../../contracts/cli';
import { REGION_NAME } from '../../contracts/region-config';
import { parseCliArgs } from '../lib/cli-args';
import { createProgress } from '../lib/progress';
import { awsSecretStore } from '../reshard/aws-secret-store';
import { stageSpec } from '../../stages/ladder';
import { chooseControls } from './choose-control';
import { loadShardPairs } from './databases';
import { failover } from './failover';
import { awsRdsApi, type RdsApi } from './rds-instances';
import { ssmRegionConfigStore } from './region-config-store';

const USAGE = `usage: npm run failover -- --to <region> [--dry-run] [--map <file>] [--catch-up-timeout-ms N] [--promote-timeout-ms N]
Makes <region> the home region of stage 10m (docs/runbooks/failover.md): reports the replication lag per
shard, refuses when <region> is not ready, fences the home primaries that still answer and waits for lag 0,
promotes <region>'s replicas, writes the region configuration (home <region>, epoch + 1) in <region> first,
then in every other region that answers. DNS health checks drain the old home. Run it with the target
region's API environment: its shard map (SHARD_MAP, SHARD_MAP_PARAMETER read in <region>'s SSM, … or
--map <file>) gives each shard's home primary and <region>'s replica: on AWS each primary's host (the local
RDS replica) on the home primary's credentials secret (read in the region its ARN names), locally a home
URL with one replica URL. A replica given as a URL is promoted with pg_promote() over SQL and its home fenced
with ALTER SYSTEM; one given by host is an RDS instance (found by its endpoint in <region>), promoted with
RDS PromoteReadReplica, its home fenced by setting the secret's role read-only (the plan says which, per
shard). REGION_CONFIG_PARAMETER names the region configuration in every region's SSM; AWS_REGION is not
needed (each region is addressed by name). Re-running the same command resumes a killed run (an RDS
promotion under way is waited for, never started twice), or, after a finished one, writes the
configuration in regions that were unreachable and fences an old home primary that answers again.
  --dry-run                 check and print the lag and the plan; change nothing
  --map <file>              the target region's shard map (SHARD_MAP JSON) instead of the environment's
  --catch-up-timeout-ms N   a fenced home's replica must reach lag 0 within this (default 30000)
  --promote-timeout-ms N    an RDS promotion must finish within this (default 1800000: 30 min)
exit codes: 0 done (or dry run, or nothing left to do), 1 failed part-way (re-run the same command to resume;
a catch-up timeout unfences home and promotes nothing), 2 bad input or refused (target not ready, unknown
region, already home, a replica's RDS instance not found): nothing changed`;

/** The retention the stacks give a primary: what a promoted RDS replica keeps (a replica has no automated backups). */
function backupRetentionDays(): number {
  const database = stageSpec('10m').database;
  if (database.kind !== 'rds') throw new Error('stage 10m has no RDS database: nothing to promote with RDS');
  return database.backupRetentionDays;
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let catchUpTimeoutMs = 0;
  let promoteTimeoutMs = 0;
  const args = parseCliArgs(
    argv,
    {
      to: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      map: { type: 'string' },
      'catch-up-timeout-ms': { type: 'string', default: '30000' },
      'promote-timeout-ms': { type: 'string', default: '1800000' },
    },
    USAGE,
    (values, problems) => {
      catchUpTimeoutMs = problems.integer('--catch-up-timeout-ms', values['catch-up-timeout-ms'], 0, 3_600_000);
      promoteTimeoutMs = problems.integer('--promote-timeout-ms', values['promote-timeout-ms'], 1_000, 6 * 3_600_000);
      if (values.to === undefined) problems.add('--to <region> is required');
      else if (!REGION_NAME.test(values.to)) problems.add(`--to: "${values.to}" is not a region name (like us-east-1)`);
    },
  );
  if (!args) return 0;
  const parameter = env.REGION_CONFIG_PARAMETER?.trim();
  if (!parameter) throw new CliError('REGION_CONFIG_PARAMETER is not set: the SSM parameter holding the region configuration (as for the API)');
  // The target region's map: its SSM parameter is read in that region; secrets in the region their ARN names.
  const pairs = await loadShardPairs(args.map, env, awsSecretStore(args.to));
  const progress = createProgress();
  const log = (line: string) => progress.log(line);
  let rds: RdsApi | undefined;
  const store = ssmRegionConfigStore(parameter);
  try {
    const controls = await chooseControls(pairs, {
      to: args.to!,
      rds: () => (rds ??= awsRdsApi()),
      backupRetentionDays: backupRetentionDays(),
      promoteTimeoutMs,
      log,
    });
    return await failover({
      to: args.to!,
      dryRun: args['dry-run'],
      catchUpTimeoutMs,
      pairs,
      store,
      controls,
      log,
      out: (line) => process.stdout.write(`${line}\n`),
    });
  } finally {
    store.close();
    rds?.close();
  }
}

if (require.main === module) runCli('failover', () => main(process.argv.slice(2)));
