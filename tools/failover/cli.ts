import { CliError, runCli } from '../../contracts/cli';
import { REGION_NAME } from '../../contracts/region-config';
import { parseCliArgs } from '../lib/cli-args';
import { createProgress } from '../lib/progress';
import { awsSecretStore } from '../reshard/aws-secret-store';
import { sqlDatabaseControl, type DatabaseControl } from './control';
import { loadShardPairs, type ShardPair } from './databases';
import { failover } from './failover';
import { ssmRegionConfigStore } from './region-config-store';

const USAGE = `usage: npm run failover -- --to <region> [--dry-run] [--map <file>] [--catch-up-timeout-ms N]
Makes <region> the home region of stage 10m (docs/runbooks/failover.md): reports the replication lag per
shard, refuses when <region> is not ready, fences the home primaries that still answer and waits for lag 0,
promotes <region>'s replicas, writes the region configuration (home <region>, epoch + 1) in <region> first,
then in every other region that answers. DNS health checks drain the old home. Run it with the target
region's API environment: the shard map (SHARD_MAP, SHARD_MAP_PARAMETER … or --map <file>) gives each
shard's home primary and <region>'s replica; REGION_CONFIG_PARAMETER names the region configuration in
every region's SSM; AWS_REGION is not needed (each region is addressed by name). Re-running the same
command resumes a killed run, or, after a finished one, writes the configuration in regions that were
unreachable and fences an old home primary that answers again.
  --dry-run                 check and print the lag and the plan; change nothing
  --map <file>              the target region's shard map (SHARD_MAP JSON) instead of the environment's
  --catch-up-timeout-ms N   a fenced home's replica must reach lag 0 within this (default 30000)
exit codes: 0 done (or dry run, or nothing left to do), 1 failed part-way (re-run the same command to resume;
a catch-up timeout unfences home and promotes nothing), 2 bad input or refused (target not ready, unknown
region, already home): nothing changed`;

/** How replicas are promoted: by SQL for replicas given as URLs; RDS replicas (given by host) need the RDS API. */
function controlFor(pairs: readonly ShardPair[]): DatabaseControl {
  const rds = pairs.filter((pair) => !pair.replica.connectionString).map((pair) => pair.name);
  if (rds.length > 0) {
    throw new CliError(
      `refused: ${rds.join(', ')}: replicas given by host (RDS) are promoted with RDS PromoteReadReplica, which needs @aws-sdk/client-rds (not a dependency yet); for now promote them in the RDS console as docs/runbooks/failover.md says\nnothing changed`,
      2,
    );
  }
  return sqlDatabaseControl;
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let catchUpTimeoutMs = 0;
  const args = parseCliArgs(
    argv,
    {
      to: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      map: { type: 'string' },
      'catch-up-timeout-ms': { type: 'string', default: '30000' },
    },
    USAGE,
    (values, problems) => {
      catchUpTimeoutMs = problems.integer('--catch-up-timeout-ms', values['catch-up-timeout-ms'], 0, 3_600_000);
      if (values.to === undefined) problems.add('--to <region> is required');
      else if (!REGION_NAME.test(values.to)) problems.add(`--to: "${values.to}" is not a region name (like us-east-1)`);
    },
  );
  if (!args) return 0;
  const parameter = env.REGION_CONFIG_PARAMETER?.trim();
  if (!parameter) throw new CliError('REGION_CONFIG_PARAMETER is not set: the SSM parameter holding the region configuration (as for the API)');
  const pairs = await loadShardPairs(args.map, env, awsSecretStore(env.AWS_REGION?.trim() || undefined));
  const control = controlFor(pairs);
  const progress = createProgress();
  const store = ssmRegionConfigStore(parameter);
  try {
    return await failover({
      to: args.to!,
      dryRun: args['dry-run'],
      catchUpTimeoutMs,
      pairs,
      store,
      control,
      log: (line) => progress.log(line),
      out: (line) => process.stdout.write(`${line}\n`),
    });
  } finally {
    store.close();
  }
}

if (require.main === module) runCli('failover', () => main(process.argv.slice(2)));
