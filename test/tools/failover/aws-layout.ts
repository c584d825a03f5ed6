import { evenShardRanges, primaryName } from '../../../contracts/shard-map';
import { LOGICAL_SHARDS } from '../../../contracts/ids';
import { sql } from '../../support/postgres-servers';
import { RdsApiStandIn } from '../../support/rds-api-stand-in';
import { SecretsManagerStandIn } from '../../support/secrets-manager-stand-in';
import { startTwoRegions, type TwoRegions } from '../../support/two-regions';

/** The shard map's parameter in the second region (as the 10m stacks write it there). */
export const SHARD_MAP_PARAMETER = '/graminsta/test/shard-map';
/** The application's role: the RDS master user of the credentials secret, no superuser (as on RDS). */
export const ROLE = 'graminsta';
const PASSWORD = 'role-password-1';

/** Two regions laid out as stage 10m on AWS, served by stand-ins over the real servers. */
export interface AwsLayout {
  readonly regions: TwoRegions;
  readonly rds: RdsApiStandIn;
  readonly secrets: SecretsManagerStandIn;
  /** `graminsta-b-<i>`: region B's replica instance of shard i. */
  replicaId(shard: number): string;
  /** A URL to a server as the application's role (not the superuser the harness uses). */
  asRole(url: string): string;
  /** The environment the tool needs beyond the target region's API environment. */
  toolEnv(): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Stage 10m as the stacks lay it out on AWS, over two loopback regions
 * (two-regions.ts, TLS on, as RDS): A's primaries are RDS instances
 * `graminsta-a-<i>`, B's streaming replicas RDS cross-region read replicas
 * `graminsta-b-<i>` (rds-api-stand-in.ts); each primary's credentials secret
 * is replicated into B (`arn:aws:secretsmanager:region-b:…`, naming A's
 * primary as B reaches it, across the ocean); B's shard map, in B's SSM,
 * lists each primary as `{ secretArn, host: <B's replica> }`. The role is
 * created on A and reaches B through WAL, as RDS replicates its master user.
 */
export async function startAwsLayout(): Promise<AwsLayout> {
  const regions = await startTwoRegions({ shards: 2, delayMs: 5, tls: true });
  const cleanups: (() => Promise<void>)[] = [() => regions.stop()];
  try {
    for (const node of regions.a.nodes) {
      await sql(node.url, `CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}' CREATEDB CREATEROLE; GRANT pg_monitor TO ${ROLE}; GRANT ALL ON SCHEMA public TO ${ROLE}`);
      await sql(asRole(node.url), 'CREATE TABLE ledger (id int PRIMARY KEY)');
    }
    for (const node of regions.b.nodes) await waitFor(async () => (await sql(node.url, `SELECT 1 FROM pg_class WHERE relname = 'ledger'`)).length > 0);

    const arn = (i: number) => `arn:aws:secretsmanager:region-b:123456789012:secret:graminsta/primary-${i}-AbCdEf`;
    const secrets = await SecretsManagerStandIn.start(
      Object.fromEntries(
        regions.a.nodes.map((_, i) => [arn(i), JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: regions.oceanTo('region-a')[i].port, username: ROLE, password: PASSWORD, dbname: 'postgres' })]),
      ),
    );
    cleanups.push(() => secrets.stop());
    const rds = await RdsApiStandIn.start();
    cleanups.push(() => rds.stop());
    regions.a.nodes.forEach((node, i) => rds.add('region-a', `graminsta-a-${i}`, node));
    regions.b.nodes.forEach((node, i) => rds.add('region-b', `graminsta-b-${i}`, node, `arn:aws:rds:region-a:123456789012:db:graminsta-a-${i}`));
    const ranges = evenShardRanges(regions.b.nodes.length);
    regions.ssm.put(
      'region-b',
      SHARD_MAP_PARAMETER,
      JSON.stringify({
        logicalShards: LOGICAL_SHARDS,
        primaries: regions.b.nodes.map((node, i) => ({ name: primaryName(i), secretArn: arn(i), host: `127.0.0.1:${node.port}`, replicaHosts: [], shards: [ranges[i]] })),
      }),
    );
    return {
      regions,
      rds,
      secrets,
      replicaId: (shard) => `graminsta-b-${shard}`,
      asRole,
      toolEnv: () => ({ SHARD_MAP: '', SHARD_MAP_PARAMETER, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint, ...rds.environment() }),
      stop: async () => {
        while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
      },
    };
  } catch (error) {
    while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
    throw error;
  }
}

function asRole(url: string): string {
  const parsed = new URL(url);
  parsed.username = ROLE;
  parsed.password = PASSWORD;
  return parsed.toString();
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
