import { describeServer, errorText, withConnection, type ShardPair } from './databases';

/**
 * What the failover saw of one shard before changing anything: the target
 * region's replica (is it a standby, does it stream, how far has it received
 * and replayed) and the home primary (its current WAL position, when it
 * answers). Kept in the run state, so a resumed run reports the lag the
 * first run saw, not that of an already promoted server.
 */
export interface ShardLag {
  readonly name: string;
  /** host:port of the replica. */
  readonly replica: string;
  readonly checkedAt: string;
  /** Undefined when the replica answered. */
  readonly replicaProblem?: string;
  readonly inRecovery?: boolean;
  /** The replica's WAL receiver is connected and streaming. */
  readonly streaming?: boolean;
  readonly receiveLsn?: string;
  readonly replayLsn?: string;
  /** The last transaction the replica replayed committed at (ISO), when it replayed any. */
  readonly lastReplayAt?: string;
  /** Undefined when the home primary answered. */
  readonly homeProblem?: string;
  readonly homeLsn?: string;
  /** Home's WAL position minus the replica's replay position; undefined when home did not answer. */
  readonly lagBytes?: number;
  /** Of those, not yet received by the replica: what a promotion now would lose. */
  readonly unreceivedBytes?: number;
  /** 0 when nothing is behind; otherwise the age of the last replayed transaction. Undefined when unknown. */
  readonly lagSeconds?: number;
}

/** `16/B374D848` → bytes. */
export function lsnBytes(lsn: string): bigint {
  const match = /^([0-9A-F]+)\/([0-9A-F]+)$/i.exec(lsn);
  if (!match) throw new Error(`not a WAL position: ${lsn}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** Reads one shard's replica and home primary (read-only). */
export async function measureShard(pair: ShardPair): Promise<ShardLag> {
  const base = { name: pair.name, replica: describeServer(pair.replica), checkedAt: new Date().toISOString() };
  let replica: Pick<ShardLag, 'inRecovery' | 'streaming' | 'receiveLsn' | 'replayLsn' | 'lastReplayAt'>;
  try {
    replica = await withConnection(pair.replica, async (client) => {
      const { rows } = await client.query<{ in_recovery: boolean; receive: string | null; replay: string | null; last_replay: Date | null; status: string | null }>(
        `SELECT pg_is_in_recovery() AS in_recovery, pg_last_wal_receive_lsn()::text AS receive, pg_last_wal_replay_lsn()::text AS replay,
                pg_last_xact_replay_timestamp() AS last_replay, (SELECT status FROM pg_stat_wal_receiver) AS status`,
      );
      const row = rows[0];
      return {
        inRecovery: row.in_recovery,
        streaming: row.status === 'streaming',
        receiveLsn: row.receive ?? undefined,
        replayLsn: row.replay ?? undefined,
        lastReplayAt: row.last_replay?.toISOString(),
      };
    });
  } catch (error) {
    return { ...base, replicaProblem: errorText(error) };
  }
  let home: Pick<ShardLag, 'homeLsn' | 'homeProblem'>;
  try {
    home = await withConnection(pair.home, async (client) => {
      const { rows } = await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      return { homeLsn: rows[0].lsn };
    });
  } catch (error) {
    home = { homeProblem: errorText(error) };
  }
  const lag: ShardLag = { ...base, ...replica, ...home };
  if (!lag.inRecovery || !lag.homeLsn || !lag.replayLsn) return lag;
  const behind = lsnBytes(lag.homeLsn) - lsnBytes(lag.replayLsn);
  const unreceived = lsnBytes(lag.homeLsn) - lsnBytes(lag.receiveLsn ?? lag.replayLsn);
  const lagBytes = Number(behind > 0n ? behind : 0n);
  const lagSeconds = lagBytes === 0 ? 0 : lag.lastReplayAt ? Math.max(0, (Date.parse(lag.checkedAt) - Date.parse(lag.lastReplayAt)) / 1000) : undefined;
  return { ...lag, lagBytes, unreceivedBytes: Number(unreceived > 0n ? unreceived : 0n), lagSeconds };
}

/** One line per shard for the report: bytes and seconds, or why the lag is unknown. */
export function describeLag(lag: ShardLag): string {
  const head = `${lag.name}: replica ${lag.replica}`;
  if (lag.replicaProblem) return `${head} does not answer (${lag.replicaProblem})`;
  if (!lag.inRecovery) return `${head} is a primary (not in recovery)`;
  const replayed = lag.lastReplayAt ? `last replayed transaction ${lag.lastReplayAt} (${((Date.parse(lag.checkedAt) - Date.parse(lag.lastReplayAt)) / 1000).toFixed(1)} s before the check)` : 'no transaction replayed yet';
  const stream = lag.streaming ? 'streaming' : 'NOT streaming';
  if (lag.homeProblem) return `${head} ${stream}; home unreachable (${lag.homeProblem}): lag unknown; ${replayed}`;
  const seconds = lag.lagSeconds === undefined ? 'unknown s' : `${lag.lagSeconds.toFixed(1)} s`;
  return `${head} ${stream}; behind home by ${lag.lagBytes} bytes, ${seconds} (${lag.unreceivedBytes} bytes not yet received); ${replayed}`;
}
