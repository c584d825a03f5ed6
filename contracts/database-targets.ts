/**
 * Where the primaries and their replicas are, read from the API's environment:
 * which variables say it (SHARD_MAP, SHARD_MAP_PARAMETER, SHARD_DATABASE_URLS,
 * DATABASE_SECRET_ARN, DATABASE_URL, the replica variables), which wins, and
 * how an RDS credentials secret becomes connection settings with the TLS the
 * database requires (DATABASE_CA_FILE). The API reads its databases with it
 * (api/src/config/resolve-config.ts) and tools/reshard finds the shard map's
 * primaries with it, so both reach the same servers and fail with the same
 * ConfigError. Secrets Manager and SSM come in through `SecretStore`: each
 * caller brings its own AWS SDK adapter, so this module imports no npm
 * package. `node:fs` reads the CA bundle.
 */
import { readFileSync } from 'node:fs';
import { arn, checkUrl, ConfigError, type Env, hostPort, list, text, url } from './env-readers';
import { LOGICAL_SHARDS } from './ids';
import { parseShardMap, shardMapFromUrls, type ShardMapPrimarySpec, type ShardMapSpec, type ShardRange } from './shard-map';

/** The part of Node's TLS options a database connection sets here (pg's `ssl`). */
export interface TlsSettings {
  readonly rejectUnauthorized: boolean;
  /** The CA bundle (PEM) the server certificate is verified against. */
  readonly ca?: string;
}

/**
 * Where and as whom to connect: the fields of pg's `ClientConfig` set here,
 * assignable to it by structure (contracts/ imports no `pg`).
 */
export interface ConnectionSettings {
  readonly connectionString?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly ssl?: TlsSettings;
}

/** Reads secrets and parameters: Secrets Manager and SSM through the caller's AWS SDK client, a stand-in in tests. */
export interface SecretStore {
  /** A Secrets Manager secret's SecretString. */
  getSecretString(arn: string): Promise<string>;
  /** An SSM parameter's value, decrypted. */
  getParameter(name: string): Promise<string>;
}

/** The database variables as read from the environment: validated, secrets still referenced by ARN. */
export interface DatabaseEnvironment {
  readonly databaseUrl?: string;
  readonly databaseSecretArn?: string;
  readonly replicaUrls: readonly string[];
  readonly replicaHosts: readonly string[];
  readonly shardMap?: ShardMapSpec;
  readonly shardMapParameter?: string;
}

/**
 * One primary and its replicas, its name in the shard map, and the logical
 * shards the map gives it (moves recorded in the databases may have taken some
 * elsewhere since).
 */
export interface DatabaseTarget {
  readonly name: string;
  readonly primary: ConnectionSettings;
  readonly replicas: readonly ConnectionSettings[];
  readonly shards: readonly ShardRange[];
  /**
   * The server the credentials secret names, when the map's `host` points
   * elsewhere: in stage 10m's second region, the home primary that this
   * region's server replicates (what `npm run failover` fences and measures
   * the lag against).
   */
  readonly secretServer?: ConnectionSettings;
  /**
   * Where the credentials come from a secret: reads it again and returns the
   * target with the current credentials (the database refused the ones in
   * hand: the secret was rotated). Absent for connection URLs.
   */
  readonly reread?: () => Promise<DatabaseTarget>;
}

/** The variables that each say on their own where the primaries are (the replica variables only add to one of them). */
export const PRIMARY_VARIABLES = ['SHARD_MAP', 'SHARD_MAP_PARAMETER', 'SHARD_DATABASE_URLS', 'DATABASE_URL', 'DATABASE_SECRET_ARN'] as const;

/**
 * Reads and validates the database variables; throws a ConfigError naming the
 * first bad one. At most one way to reach the primaries may be set, except
 * that a shard map (SHARD_MAP, SHARD_MAP_PARAMETER) is read before
 * DATABASE_SECRET_ARN and DATABASE_URL.
 */
export function readDatabaseEnvironment(env: Env): DatabaseEnvironment {
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres', 'postgresql']);
  const databaseSecretArn = arn(env, 'DATABASE_SECRET_ARN', 'secretsmanager');
  if (databaseUrl && databaseSecretArn) {
    throw new ConfigError('DATABASE_SECRET_ARN', 'and DATABASE_URL are both set; set only one');
  }
  const replicaUrls = list(env, 'DATABASE_REPLICA_URLS').map((u) => checkUrl('DATABASE_REPLICA_URLS', u, ['postgres', 'postgresql']));
  const replicaHosts = list(env, 'DATABASE_REPLICA_HOSTS').map((h) => hostPort('DATABASE_REPLICA_HOSTS', h));
  if (replicaHosts.length > 0 && !databaseSecretArn) {
    throw new ConfigError('DATABASE_REPLICA_HOSTS', 'needs DATABASE_SECRET_ARN (replicas use the primary secret’s credentials)');
  }
  const shardMapRaw = text(env, 'SHARD_MAP');
  const shardMapParameter = text(env, 'SHARD_MAP_PARAMETER');
  if (shardMapRaw && shardMapParameter) throw new ConfigError('SHARD_MAP', 'and SHARD_MAP_PARAMETER are both set; set only one');
  let shardMap: ShardMapSpec | undefined;
  if (shardMapRaw) {
    try {
      shardMap = parseShardMap(shardMapRaw);
    } catch (error) {
      throw new ConfigError('SHARD_MAP', (error as Error).message);
    }
  }
  const shardUrls = list(env, 'SHARD_DATABASE_URLS');
  if (shardUrls.length > 0) {
    const other = (['DATABASE_URL', 'DATABASE_SECRET_ARN', 'SHARD_MAP', 'SHARD_MAP_PARAMETER', 'DATABASE_REPLICA_URLS', 'DATABASE_REPLICA_HOSTS'] as const).find(
      (name) => text(env, name) !== undefined,
    );
    if (other) throw new ConfigError('SHARD_DATABASE_URLS', `and ${other} are both set; set only one way to reach the database`);
    try {
      shardMap = shardMapFromUrls(shardUrls.map((u) => checkUrl('SHARD_DATABASE_URLS', u, ['postgres', 'postgresql'])));
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError('SHARD_DATABASE_URLS', (error as Error).message);
    }
  }
  return { databaseUrl, databaseSecretArn, replicaUrls, replicaHosts, shardMap, shardMapParameter };
}

/**
 * A secret's SecretString as a JSON object. Errors name the variable that
 * pointed at the secret and never echo its text.
 */
export async function readSecretJson(store: SecretStore, secretArn: string, variable: string): Promise<Record<string, unknown>> {
  const raw = await store.getSecretString(secretArn);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(variable, 'points at a secret that is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(variable, 'points at a secret that is not a JSON object');
  return value as Record<string, unknown>;
}

/**
 * RDS enforces TLS (rds.force_ssl). Certificates are verified against
 * DATABASE_CA_FILE (the RDS CA bundle) when the instance provides one;
 * otherwise the link is encrypted but the server certificate is not verified.
 */
function rdsTls(env: Env): TlsSettings {
  const caFile = env.DATABASE_CA_FILE?.trim();
  if (!caFile) return { rejectUnauthorized: false };
  try {
    return { ca: readFileSync(caFile, 'utf8'), rejectUnauthorized: true };
  } catch {
    throw new ConfigError('DATABASE_CA_FILE', `cannot be read: ${caFile}`);
  }
}

/** An RDS credentials secret (what the SecretTargetAttachment writes) as connection settings. */
function fromSecret(secret: Record<string, unknown>, variable: string, ssl: TlsSettings): ConnectionSettings {
  const { host, port, username, password, dbname } = secret;
  if (typeof host !== 'string' || typeof username !== 'string' || typeof password !== 'string') {
    throw new ConfigError(variable, 'points at a secret without host, username and password');
  }
  return {
    host,
    port: Number(port ?? 5432),
    user: username,
    password,
    database: typeof dbname === 'string' ? dbname : 'postgres',
    ssl,
  };
}

/** A replica at host:port that shares its primary's credentials and TLS settings. */
function replicaFromHost(primary: ConnectionSettings, address: string): ConnectionSettings {
  const [host, port] = address.split(':');
  return { ...primary, host, port: Number(port ?? primary.port ?? 5432) };
}

async function resolvePrimary(spec: ShardMapPrimarySpec, store: SecretStore, ssl: TlsSettings): Promise<DatabaseTarget> {
  const secretArn = spec.secretArn;
  const fromMap = spec.url || !secretArn ? { connectionString: spec.url } : fromSecret(await readSecretJson(store, secretArn, 'SHARD_MAP'), 'SHARD_MAP', ssl);
  // The map's `host` (the second region's local replica) on the secret's credentials.
  const primary = spec.host ? replicaFromHost(fromMap, spec.host) : fromMap;
  return {
    name: spec.name,
    primary,
    replicas: [...spec.replicaUrls.map((url) => ({ connectionString: url })), ...spec.replicaHosts.map((h) => replicaFromHost(primary, h))],
    shards: spec.shards,
    ...(spec.host ? { secretServer: fromMap } : {}),
    reread: spec.url || !secretArn ? undefined : () => resolvePrimary(spec, store, ssl),
  };
}

/** The single primary of DATABASE_SECRET_ARN (stages 10 to 100k), its replicas on the secret's credentials. */
async function secretPrimary(database: DatabaseEnvironment, secretArn: string, store: SecretStore, ssl: TlsSettings): Promise<DatabaseTarget> {
  const primary = fromSecret(await readSecretJson(store, secretArn, 'DATABASE_SECRET_ARN'), 'DATABASE_SECRET_ARN', ssl);
  return {
    name: 'primary-0',
    primary,
    replicas: [...database.replicaUrls.map((url) => ({ connectionString: url })), ...database.replicaHosts.map((h) => replicaFromHost(primary, h))],
    shards: [[0, LOGICAL_SHARDS - 1]],
    reread: () => secretPrimary(database, secretArn, store, ssl),
  };
}

/**
 * The primaries, secrets resolved into connection settings: the shard map
 * (from SHARD_MAP_PARAMETER, else SHARD_MAP or SHARD_DATABASE_URLS), else the
 * one primary of DATABASE_SECRET_ARN, else of DATABASE_URL. `env` is the raw
 * environment (DATABASE_CA_FILE). A ConfigError names the variable at fault.
 */
export async function resolveDatabaseTargets(database: DatabaseEnvironment, store: SecretStore, env: Env): Promise<DatabaseTarget[]> {
  const ssl = rdsTls(env);
  let shardMap = database.shardMap;
  if (database.shardMapParameter) {
    try {
      shardMap = parseShardMap(await store.getParameter(database.shardMapParameter));
    } catch (error) {
      throw new ConfigError('SHARD_MAP_PARAMETER', `holds an invalid shard map: ${(error as Error).message}`);
    }
  }
  if (shardMap) return Promise.all(shardMap.primaries.map((spec) => resolvePrimary(spec, store, ssl)));
  if (database.databaseSecretArn) return [await secretPrimary(database, database.databaseSecretArn, store, ssl)];
  if (!database.databaseUrl) {
    throw new ConfigError('DATABASE_URL', 'is not set (nor DATABASE_SECRET_ARN, SHARD_MAP or SHARD_MAP_PARAMETER); `npm run dev` starts an embedded PostgreSQL instead');
  }
  const primary = { connectionString: database.databaseUrl };
  return [
    {
      name: 'primary-0',
      primary,
      replicas: [...database.replicaUrls.map((url) => ({ connectionString: url })), ...database.replicaHosts.map((h) => replicaFromHost(primary, h))],
      shards: [[0, LOGICAL_SHARDS - 1]],
    },
  ];
}
