import { Client, type ClientConfig } from 'pg';
import { CliError } from '../../contracts/cli';
import type { DatabaseTarget, SecretStore } from '../../contracts/database-targets';
import { loadShardMapTargets } from '../lib/shard-map-targets';
import { LOGICAL_SHARDS } from '../../contracts/ids';
import { awsSecretStore } from './aws-secret-store';

/** One physical primary of the shard map, by its stable name. */
export interface Server {
  readonly name: string;
  readonly index: number;
  readonly config: ClientConfig;
  /** The logical shards the map gives it (its base placement, before any move). */
  readonly mapShards: readonly number[];
}

/**
 * Session settings that make every value's text form identical on both
 * servers (checksums compare text), whatever the servers' defaults.
 */
const STABLE_TEXT = ["SET TIME ZONE 'UTC'", "SET DateStyle = 'ISO, YMD'", "SET IntervalStyle = 'postgres'", 'SET extra_float_digits = 3', "SET bytea_output = 'hex'"];

function shardsOf(target: DatabaseTarget): number[] {
  const shards: number[] = [];
  for (const [first, last] of target.shards) for (let shard = first; shard <= last; shard++) shards.push(shard);
  return shards;
}

/** A host:port safe to print (never the password). */
export function describeServer(server: Server): string {
  const { connectionString, host, port } = server.config;
  if (connectionString) {
    try {
      const url = new URL(connectionString);
      return `${server.name} (${url.hostname || 'local socket'}${url.port ? `:${url.port}` : ''})`;
    } catch {
      return server.name;
    }
  }
  return `${server.name} (${host ?? 'localhost'}:${port ?? 5432})`;
}

/**
 * The primaries of the shard map, read exactly as the API reads it
 * (contracts/database-targets): from `--map <file>` (SHARD_MAP JSON), else
 * SHARD_MAP / SHARD_MAP_PARAMETER / SHARD_DATABASE_URLS / DATABASE_URL /
 * DATABASE_SECRET_ARN in the environment, secrets and the parameter read from
 * `store` (Secrets Manager and SSM by default). Names are the map's `name`s,
 * `primary-<index>` when absent.
 */
export async function loadServers(
  mapFile: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  store: SecretStore = awsSecretStore(env.AWS_REGION?.trim() || undefined),
): Promise<Server[]> {
  const targets = await loadShardMapTargets(mapFile, env, store, 'as for the API');
  const servers = targets.map(
    (target, index): Server => ({
      name: target.name,
      index,
      config: target.primary,
      mapShards: shardsOf(target),
    }),
  );
  const covered = servers.reduce((n, s) => n + s.mapShards.length, 0);
  if (covered !== LOGICAL_SHARDS) throw new CliError(`the shard map covers ${covered} logical shards, not ${LOGICAL_SHARDS}`);
  return servers;
}

/** Finds a server by name, or a CliError listing the names there are. */
export function serverNamed(servers: readonly Server[], name: string | undefined, flag: string): Server {
  if (!name) throw new CliError(`${flag} <name> is required (servers: ${servers.map((s) => s.name).join(', ')})`);
  const server = servers.find((s) => s.name === name);
  if (!server) throw new CliError(`${flag}: unknown server "${name}" (the shard map has ${servers.map((s) => s.name).join(', ')})`);
  return server;
}

/**
 * Connects to one server with the stable text settings. An unreachable server
 * is a CliError naming it (and its host, never the password).
 */
export async function connectServer(server: Server, purpose = 'reshard'): Promise<Client> {
  const client = new Client({ ...server.config, application_name: `graminsta-${purpose}`, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    for (const statement of STABLE_TEXT) await client.query(statement);
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0];
    throw new CliError(`cannot reach ${describeServer(server)}: ${reason}`);
  }
  return client;
}
