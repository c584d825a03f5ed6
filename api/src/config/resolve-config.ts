import { readFileSync } from 'node:fs';
import type { ClientConfig } from 'pg';
import { ConfigError, type EnvConfig } from './env-config';
import { LOGICAL_SHARDS } from '../../../contracts/ids';
import { parseShardMap, type ShardMapPrimarySpec, type ShardRange } from '../../../contracts/shard-map';

/**
 * Where one primary and its replicas are, its name in the shard map, and the
 * logical shards the map gives it (moves recorded in the databases may have
 * taken some elsewhere since: see DatabaseCluster).
 */
export interface PrimaryTarget {
  readonly name: string;
  readonly primary: ClientConfig;
  readonly replicas: readonly ClientConfig[];
  readonly shards: readonly ShardRange[];
  /**
   * Where the credentials come from a secret: reads it again and returns the
   * target with the current credentials (the database refused the ones in
   * hand: the secret was rotated). Absent for connection URLs.
   */
  readonly reread?: () => Promise<PrimaryTarget>;
}

/**
 * The configuration `buildApp` takes: the environment's, with every secret
 * resolved into concrete connection settings.
 */
export interface AppConfig extends EnvConfig {
  readonly primaries: readonly PrimaryTarget[];
  readonly redisPassword?: string;
}

/** Fetches secrets and parameters; injectable so tests need no AWS. */
export interface SecretSource {
  secretJson(arn: string): Promise<Record<string, unknown>>;
  parameter(name: string): Promise<string>;
}

/** The real source: Secrets Manager and SSM, loaded lazily so local runs never touch the SDK. */
export function awsSecretSource(region?: string): SecretSource {
  return {
    async secretJson(arn) {
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient({ region });
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
        return JSON.parse(out.SecretString ?? '{}') as Record<string, unknown>;
      } finally {
        client.destroy();
      }
    },
    async parameter(name) {
      const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
      const client = new SSMClient({ region });
      try {
        const out = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
        return out.Parameter?.Value ?? '';
      } finally {
        client.destroy();
      }
    },
  };
}

/**
 * RDS enforces TLS (rds.force_ssl). Certificates are verified against
 * DATABASE_CA_FILE (the RDS CA bundle) when the instance provides one;
 * otherwise the link is encrypted but the server certificate is not verified.
 */
function rdsTls(env: Readonly<Record<string, string | undefined>>): ClientConfig['ssl'] {
  const caFile = env.DATABASE_CA_FILE?.trim();
  if (!caFile) return { rejectUnauthorized: false };
  try {
    return { ca: readFileSync(caFile, 'utf8'), rejectUnauthorized: true };
  } catch {
    throw new ConfigError('DATABASE_CA_FILE', `cannot be read: ${caFile}`);
  }
}

function fromSecret(secret: Record<string, unknown>, variable: string, ssl: ClientConfig['ssl']): ClientConfig {
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

function replicaFromHost(primary: ClientConfig, hostPort: string): ClientConfig {
  const [host, port] = hostPort.split(':');
  return { ...primary, host, port: Number(port ?? primary.port ?? 5432) };
}

async function resolvePrimary(spec: ShardMapPrimarySpec, source: SecretSource, ssl: ClientConfig['ssl']): Promise<PrimaryTarget> {
  const secretArn = spec.secretArn;
  const primary = spec.url || !secretArn ? { connectionString: spec.url } : fromSecret(await source.secretJson(secretArn), 'SHARD_MAP', ssl);
  return {
    name: spec.name,
    primary,
    replicas: [...spec.replicaUrls.map((url) => ({ connectionString: url })), ...spec.replicaHosts.map((h) => replicaFromHost(primary, h))],
    shards: spec.shards,
    reread: spec.url || !secretArn ? undefined : () => resolvePrimary(spec, source, ssl),
  };
}

/** The single primary of DATABASE_SECRET_ARN (stages 10 to 100k), its replicas on the secret's credentials. */
async function secretPrimary(env: EnvConfig, arn: string, source: SecretSource, ssl: ClientConfig['ssl']): Promise<PrimaryTarget> {
  const primary = fromSecret(await source.secretJson(arn), 'DATABASE_SECRET_ARN', ssl);
  return {
    name: 'primary-0',
    primary,
    replicas: [...env.replicaUrls.map((url) => ({ connectionString: url })), ...env.replicaHosts.map((h) => replicaFromHost(primary, h))],
    shards: [[0, LOGICAL_SHARDS - 1]],
    reread: () => secretPrimary(env, arn, source, ssl),
  };
}

/**
 * Resolves secrets into connection settings. `DATABASE_URL` is required here:
 * the embedded PostgreSQL fallback belongs to `dev.ts`, never to production.
 */
export async function resolveConfig(
  env: EnvConfig,
  source: SecretSource = awsSecretSource(env.awsRegion),
  rawEnv: Readonly<Record<string, string | undefined>> = process.env,
): Promise<AppConfig> {
  const ssl = rdsTls(rawEnv);
  let primaries: PrimaryTarget[];
  let shardMap = env.shardMap;
  if (env.shardMapParameter) {
    try {
      shardMap = parseShardMap(await source.parameter(env.shardMapParameter));
    } catch (error) {
      throw new ConfigError('SHARD_MAP_PARAMETER', `holds an invalid shard map: ${(error as Error).message}`);
    }
  }
  if (shardMap) {
    primaries = await Promise.all(shardMap.primaries.map((spec) => resolvePrimary(spec, source, ssl)));
  } else if (env.databaseSecretArn) {
    primaries = [await secretPrimary(env, env.databaseSecretArn, source, ssl)];
  } else {
    let primary: ClientConfig;
    if (env.databaseUrl) primary = { connectionString: env.databaseUrl };
    else throw new ConfigError('DATABASE_URL', 'is not set (nor DATABASE_SECRET_ARN, SHARD_MAP or SHARD_MAP_PARAMETER); `npm run dev` starts an embedded PostgreSQL instead');
    primaries = [
      {
        name: 'primary-0',
        primary,
        replicas: [...env.replicaUrls.map((url) => ({ connectionString: url })), ...env.replicaHosts.map((h) => replicaFromHost(primary, h))],
        shards: [[0, LOGICAL_SHARDS - 1]],
      },
    ];
  }
  let redisPassword: string | undefined;
  if (env.redisAuthSecretArn) {
    const secret = await source.secretJson(env.redisAuthSecretArn);
    if (typeof secret.password !== 'string') throw new ConfigError('REDIS_AUTH_SECRET_ARN', 'points at a secret without a password field');
    redisPassword = secret.password;
  }
  return { ...env, primaries, redisPassword };
}
