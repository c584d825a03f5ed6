import { CliError } from '../../contracts/cli';
import { sqlDatabaseControl, type DatabaseControl } from './control';
import { describeServer, type ShardPair } from './databases';
import { rdsDatabaseControl } from './rds-control';
import { findByEndpoint, type RdsApi, type RdsInstance } from './rds-instances';
import { reason } from './region-config-store';

/** How one shard's replica is promoted and its home fenced, and why (printed in the plan). */
export interface ChosenControl {
  readonly control: DatabaseControl;
  readonly reason: string;
}

export interface ChooseControlsOptions {
  /** The target region: where the replicas are. */
  readonly to: string;
  /** The RDS API (made only when a replica is given by host). */
  readonly rds: () => RdsApi;
  readonly backupRetentionDays: number;
  readonly promoteTimeoutMs: number;
  readonly log: (line: string) => void;
}

const refuse = (message: string) => new CliError(`refused: ${message}\nnothing changed`, 2);

/**
 * Per shard, by how the map gives its replica: a URL is a PostgreSQL server
 * the tool reaches directly (self-managed, the local drills), promoted with
 * `pg_promote()`; a host on a credentials secret is an RDS instance (the
 * secrets are RDS's), promoted with the RDS API. The RDS instance is the one
 * whose endpoint the region's DescribeDBInstances lists at that host and
 * port; none is a refusal, before anything changes.
 */
export async function chooseControls(pairs: readonly ShardPair[], o: ChooseControlsOptions): Promise<Map<string, ChosenControl>> {
  const chosen = new Map<string, ChosenControl>();
  let instances: RdsInstance[] | undefined;
  for (const pair of pairs) {
    const { connectionString, host, port } = pair.replica;
    if (connectionString) {
      chosen.set(pair.name, { control: sqlDatabaseControl, reason: 'its replica is a URL: a PostgreSQL server reached directly; fence: ALTER SYSTEM on the home primary' });
      continue;
    }
    if (!instances) {
      try {
        instances = await o.rds().list(o.to);
      } catch (error) {
        throw refuse(`cannot list the RDS DB instances in ${o.to} (${reason(error)}): the replicas given by host are RDS instances, promoted with the RDS API (permissions: docs/runbooks/failover.md)`);
      }
    }
    const address = describeServer(pair.replica);
    const instance = findByEndpoint(instances, host ?? 'localhost', port ?? 5432);
    if (!instance) throw refuse(`${pair.name}: no RDS DB instance in ${o.to} has the endpoint ${address} (its replica's host in the shard map)`);
    chosen.set(pair.name, {
      control: rdsDatabaseControl({
        api: o.rds(),
        region: o.to,
        instanceId: instance.id,
        backupRetentionDays: o.backupRetentionDays,
        timeoutMs: o.promoteTimeoutMs,
        shard: pair.name,
        log: o.log,
      }),
      reason: `its replica is given by host (${address}) on a credentials secret: the RDS instance with that endpoint in ${o.to}${instance.replicaOf ? `, a read replica of ${instance.replicaOf}` : ', NOT a read replica now'}; fence: the secret's role set read-only`,
    });
  }
  return chosen;
}
