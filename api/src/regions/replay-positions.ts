import { parseLsn } from './wal-positions';

/** What the positions are read from: the region's servers by shard-map name (DatabaseCluster fits). */
export interface ReplayServers {
  named(name: string): { query<R extends object>(text: string): Promise<{ rows: R[] }> } | undefined;
}

/**
 * How far a replica has replayed its primary's WAL (`pg_last_wal_replay_lsn`);
 * a server that is not in recovery (promoted) has everything it wrote.
 */
const REPLAYED_SQL = `SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn`;

/** Pause between two reads of a server that has not replayed far enough yet. */
const POLL_MS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The replay positions of this region's servers, as last read: a read whose
 * client wrote at home waits here until every server it wrote to has
 * replayed that far. A position already known to be far enough costs
 * nothing; otherwise the server is asked again (one query at a time per
 * server, shared by every waiting request) every POLL_MS until the deadline.
 */
export class ReplayPositions {
  private readonly known = new Map<string, bigint>();
  private readonly reading = new Map<string, Promise<void>>();

  constructor(private readonly servers: ReplayServers) {}

  /** True once every named server has replayed up to its position; false at the deadline. Unknown names are skipped. */
  async reached(positions: ReadonlyMap<string, bigint>, deadline: number): Promise<boolean> {
    for (const [name, lsn] of positions) {
      const server = this.servers.named(name);
      if (!server) continue;
      for (;;) {
        if ((this.known.get(name) ?? -1n) >= lsn) break;
        if (Date.now() >= deadline) return false;
        await this.read(name, server);
        if ((this.known.get(name) ?? -1n) >= lsn) break;
        const left = deadline - Date.now();
        if (left <= 0) return false;
        await sleep(Math.min(POLL_MS, left));
      }
    }
    return true;
  }

  private read(name: string, server: NonNullable<ReturnType<ReplayServers['named']>>): Promise<void> {
    let reading = this.reading.get(name);
    if (!reading) {
      reading = server
        .query<{ lsn: string | null }>(REPLAYED_SQL)
        .then(({ rows }) => {
          const lsn = rows[0]?.lsn ? parseLsn(rows[0].lsn) : undefined;
          if (lsn !== undefined && lsn > (this.known.get(name) ?? -1n)) this.known.set(name, lsn);
        })
        // A server that does not answer has replayed nothing we know of: the caller's deadline decides.
        .catch(() => undefined)
        .finally(() => this.reading.delete(name));
      this.reading.set(name, reading);
    }
    return reading;
  }
}
