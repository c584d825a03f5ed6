import { Client } from 'pg';
import { CliError } from '../../contracts/cli';
import type { ConnectionSettings, SecretStore } from '../../contracts/database-targets';
import { loadShardMapTargets } from '../lib/shard-map-targets';

/** One shard of the failover: the home primary and the target region's replica of it. */
export interface ShardPair {
  /** The shard map's primary name (`primary-0`). */
  readonly name: string;
  /** The home region's primary, as the target region reaches it. */
  readonly home: ConnectionSettings;
  /** The target region's replica: what the failover promotes. */
  readonly replica: ConnectionSettings;
}

/**
 * The shards as the target region's API sees them (contracts/database-targets:
 * SHARD_MAP, SHARD_MAP_PARAMETER … or `--map <file>`), in one of two layouts:
 * - stage 10m on AWS: each primary of the map is the region's own server (the
 *   map's `host`: its cross-region replica) on the home primary's replicated
 *   credentials secret, so the resolved target's `secretServer` is the home
 *   primary and its `primary` the replica to promote (any replicas listed
 *   beside it are not part of the failover);
 * - URLs (self-managed servers, the local drills): each primary is the home
 *   primary and its one replica the target region's. A shard without exactly
 *   one replica is refused (nothing to promote, or no way to choose).
 */
export async function loadShardPairs(mapFile: string | undefined, env: Readonly<Record<string, string | undefined>>, store: SecretStore): Promise<ShardPair[]> {
  const targets = await loadShardMapTargets(mapFile, env, store, "the target region's API environment");
  return targets.map((target) => {
    if (target.secretServer) return { name: target.name, home: target.secretServer, replica: target.primary };
    if (target.replicas.length !== 1) {
      throw new CliError(
        `${target.name} has ${target.replicas.length} replicas in the shard map; the failover needs exactly one per shard: the target region's (replica missing?), or the primary's host on its credentials secret (the second region's map on AWS)`,
        2,
      );
    }
    return { name: target.name, home: target.primary, replica: target.replicas[0] };
  });
}

/** host:port of a server, safe to print (never the password). */
export function describeServer(settings: ConnectionSettings): string {
  if (settings.connectionString) {
    try {
      const url = new URL(settings.connectionString);
      return `${url.hostname || 'local socket'}${url.port ? `:${url.port}` : ''}`;
    } catch {
      return 'the server';
    }
  }
  return `${settings.host ?? 'localhost'}:${settings.port ?? 5432}`;
}

/** A connection that gives up quickly: a dead region must not hold the tool. */
export async function connect(settings: ConnectionSettings, timeoutMs = 3_000): Promise<Client> {
  const client = new Client({ ...settings, application_name: 'graminsta-failover', connectionTimeoutMillis: timeoutMs, query_timeout: 60_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** One query on a fresh connection, closed after. */
export async function withConnection<T>(settings: ConnectionSettings, use: (client: Client) => Promise<T>, timeoutMs?: number): Promise<T> {
  const client = await connect(settings, timeoutMs);
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The first line of a connection or query error (a code when there is one). */
export function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return (e.code && !/^\d/.test(e.code) ? e.code : (e.message ?? String(error))).split('\n')[0];
}
