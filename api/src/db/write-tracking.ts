import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The primaries (by shard-map name) one unit of work wrote to, collected
 * without threading a parameter through every repository: DatabaseCluster
 * records each write that committed into the set of the work running now.
 * Stage 10m's home region reads it after a write request to tell the client
 * where its write sits in each primary's WAL (api/src/regions/wal-positions.ts).
 */
const written = new AsyncLocalStorage<Set<string>>();

/** Runs `work` with a fresh set collecting the primaries it writes to. */
export function collectWrites<T>(primaries: Set<string>, work: () => T): T {
  return written.run(primaries, work);
}

/** Called by DatabaseCluster after a write to `primary` committed; nothing happens outside collectWrites. */
export function noteWrite(primary: string): void {
  written.getStore()?.add(primary);
}
