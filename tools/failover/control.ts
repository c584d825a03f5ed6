import type { ConnectionSettings } from '../../contracts/database-targets';
import { withConnection } from './databases';
import { lsnBytes } from './lag';

/**
 * What the failover does to the databases, behind one interface so the same
 * steps run on RDS and on the local servers of the tests:
 * - `promote`: the replica stops replaying and takes writes;
 * - `fence` / `unfence`: a planned move (home still answers) makes the old
 *   home refuse writes first, so the replica can catch up to lag 0.
 */
export interface DatabaseControl {
  /** Which way `promote` works (printed in the plan). */
  readonly kind: string;
  /**
   * The fence reaches the replica through WAL (a catalog setting): the
   * failover then unfences every promoted server before any region writes to
   * it. False where the fence is local to the server (a configuration file).
   */
  readonly fenceReplicates: boolean;
  /** Returns once the server takes writes; resumes a promotion already under way. */
  promote(replica: ConnectionSettings): Promise<void>;
  fence(home: ConnectionSettings): Promise<void>;
  unfence(server: ConnectionSettings): Promise<void>;
}

/**
 * PostgreSQL itself, over SQL (self-managed servers and the local tests):
 * `pg_promote()` waits until the standby has replayed all WAL it received and
 * runs as a primary. The fence is `ALTER SYSTEM SET
 * default_transaction_read_only = on` and a reload (every session's next
 * transaction is read-only, and unlike ALTER DATABASE it is a file, not WAL,
 * so it does not reach the replica), and the other client sessions are ended
 * (an open transaction cannot commit a write after the fence).
 */
export const sqlDatabaseControl: DatabaseControl = {
  kind: 'pg_promote() over SQL',
  fenceReplicates: false,
  promote: (replica) =>
    withConnection(replica, async (client) => {
      const { rows } = await client.query<{ in_recovery: boolean }>('SELECT pg_is_in_recovery() AS in_recovery');
      if (!rows[0].in_recovery) return;
      const promoted = await client.query<{ ok: boolean }>('SELECT pg_promote(true, 60) AS ok');
      if (!promoted.rows[0].ok) throw new Error('pg_promote did not finish within 60 s');
    }),
  fence: (home) =>
    withConnection(home, async (client) => {
      await client.query('ALTER SYSTEM SET default_transaction_read_only = on');
      await client.query('SELECT pg_reload_conf()');
      await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`);
    }),
  unfence: (server) =>
    withConnection(server, async (client) => {
      await client.query('ALTER SYSTEM RESET default_transaction_read_only');
      await client.query('SELECT pg_reload_conf()');
    }),
};

/** The home primary's WAL position once fenced (nothing more will be written), and whether the replica has replayed it. */
export async function caughtUp(home: ConnectionSettings, replica: ConnectionSettings): Promise<{ homeLsn: string; replayLsn: string; behind: number }> {
  const homeLsn = await withConnection(home, async (client) => (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn);
  const replayLsn = await withConnection(replica, async (client) => (await client.query<{ lsn: string }>('SELECT pg_last_wal_replay_lsn()::text AS lsn')).rows[0].lsn);
  const behind = lsnBytes(homeLsn) - lsnBytes(replayLsn);
  return { homeLsn, replayLsn, behind: Number(behind > 0n ? behind : 0n) };
}
