import type { ConnectionSettings } from '../../contracts/database-targets';
import type { DatabaseControl } from './control';
import { withConnection } from './databases';
import type { RdsApi } from './rds-instances';
import { reason } from './region-config-store';

export interface RdsControlProps {
  readonly api: RdsApi;
  /** The region of the replica (the failover's target). */
  readonly region: string;
  /** The replica's DB instance identifier (rds-instances.ts `findByEndpoint`). */
  readonly instanceId: string;
  /**
   * Days of automated backups the promoted instance keeps: an RDS PostgreSQL
   * read replica has none, and PromoteReadReplica enables them (its own
   * default is 1 day). The stage spec's `backupRetentionDays`.
   */
  readonly backupRetentionDays: number;
  /** How long one promotion may take before the tool gives up (re-running resumes). */
  readonly timeoutMs: number;
  /** The shard's name, for the progress lines. */
  readonly shard: string;
  readonly log: (line: string) => void;
  /** The first look at the instance after this many ms, then doubling up to 15 s. @default 500 */
  readonly firstPollMs?: number;
}

/** Progress at least this often while an instance does not change status. */
const PROGRESS_EVERY_MS = 60_000;
const MAX_POLL_MS = 15_000;

/** The role's other client sessions: they keep the setting they started with, so they are ended (the pool reconnects). */
const END_ROLE_SESSIONS = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = current_user AND backend_type = 'client backend' AND pid <> pg_backend_pid()`;

/**
 * The fence where ALTER SYSTEM is not allowed (RDS: its master user is no
 * superuser): `ALTER ROLE CURRENT_USER SET default_transaction_read_only =
 * on` for the role of the credentials secret (the API's and the worker's only
 * role), then that role's other sessions are ended, so every new session
 * starts read-only and no open transaction commits a write after the fence.
 * The setting is a catalog row, so it replicates: the promoted replica
 * carries it and must be unfenced (`unfence`, which failover.ts runs on every
 * promoted server whose control says `fenceReplicates`) before any region
 * writes to it. Each statement first lifts the session's own read-only
 * default: a session of an already fenced role could not run ALTER ROLE.
 * Any role may set its own session defaults; ALTER SYSTEM needs a superuser.
 * @see https://www.postgresql.org/docs/current/sql-alterrole.html
 */
export const roleFence: Pick<DatabaseControl, 'fence' | 'unfence' | 'fenceReplicates'> = {
  fenceReplicates: true,
  fence: (server) =>
    withConnection(server, async (client) => {
      await client.query('SET default_transaction_read_only = off');
      await client.query('ALTER ROLE CURRENT_USER SET default_transaction_read_only = on');
      await client.query(END_ROLE_SESSIONS);
    }),
  unfence: (server) =>
    withConnection(server, async (client) => {
      await client.query('SET default_transaction_read_only = off');
      await client.query('ALTER ROLE CURRENT_USER RESET default_transaction_read_only');
      await client.query(END_ROLE_SESSIONS);
    }),
};

/** Whether the server answers as a primary (false while it is a standby, rebooting or unreachable). */
async function answersAsPrimary(server: ConnectionSettings): Promise<boolean> {
  try {
    return await withConnection(server, async (client) => !(await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r);
  } catch {
    return false;
  }
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * An RDS cross-region read replica, promoted with the RDS API:
 * PromoteReadReplica, then waiting until DescribeDBInstances reports the
 * instance `available` with no replication source and PostgreSQL answers
 * `pg_is_in_recovery() = false`. RDS reboots the instance before it is
 * available, and a promotion takes minutes ("several minutes or longer,
 * depending on the size of the read replica": the RDS user guide,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.Promote.html);
 * whatever status RDS reports meanwhile (`modifying`, `rebooting` …) is only
 * printed: `available` is the one the tool relies on. The call is
 * made only while the instance is an `available` replica (RDS refuses it with
 * InvalidDBInstanceState otherwise, e.g. while `backing-up`: the API
 * reference, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html),
 * so a re-run after a kill or a timeout finds the promotion under way and
 * only waits for it. `BackupRetentionPeriod` (0–35 days, default 1) is set
 * to the stage's retention with the promotion.
 */
export function rdsDatabaseControl(props: RdsControlProps): DatabaseControl {
  const { api, region, instanceId: id, shard, log } = props;
  return {
    kind: `RDS PromoteReadReplica of DB instance ${id} in ${region}`,
    ...roleFence,
    async promote(replica) {
      const started = Date.now();
      const deadline = started + props.timeoutMs;
      let pollMs = props.firstPollMs ?? 500;
      let requested = false;
      let lastSeen = '';
      let lastLogAt = started;
      for (;;) {
        let seen: string;
        try {
          const instance = await api.describe(region, id);
          seen = `${instance.status}${instance.replicaOf ? ', still a replica' : ''}`;
          if (instance.replicaOf && instance.status === 'available' && !requested) {
            requested = true;
            const answer = await api.promote(region, id, props.backupRetentionDays);
            log(
              answer === 'accepted'
                ? `failover: ${shard}: RDS accepted PromoteReadReplica of ${id} (automated backups kept ${props.backupRetentionDays} days); waiting for it (minutes)`
                : `failover: ${shard}: RDS refuses PromoteReadReplica of ${id} now (InvalidDBInstanceState: a change under way); waiting`,
            );
            lastSeen = seen; // the status read before the call: not news
            lastLogAt = Date.now();
          } else if (!instance.replicaOf && instance.status === 'available' && (await answersAsPrimary(replica))) {
            log(`failover: ${shard}: ${id} is available and out of recovery (${seconds(Date.now() - started)})`);
            return;
          }
        } catch (error) {
          seen = `not described (${reason(error)})`;
        }
        if (seen !== lastSeen || Date.now() - lastLogAt >= PROGRESS_EVERY_MS) {
          log(`failover: ${shard}: ${id}: ${seen} (${seconds(Date.now() - started)} so far)`);
          lastSeen = seen;
          lastLogAt = Date.now();
        }
        if (Date.now() > deadline) {
          throw new Error(
            `${shard}: RDS instance ${id} in ${region} was not promoted within ${seconds(props.timeoutMs)} (${seen}; PostgreSQL ${(await answersAsPrimary(replica)) ? 'out of' : 'still in'} recovery or not answering): re-running the same command resumes (it waits for a promotion under way and asks RDS again only while the instance is still an available replica)`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
      }
    },
  };
}

