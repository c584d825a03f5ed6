import type { ClientConfig } from 'pg';
import { readSecretJson, resolveDatabaseTargets, type SecretStore } from '../../../contracts/database-targets';
import type { ShardRange } from '../../../contracts/shard-map';
import type { RegionConfig } from '../../../contracts/region-config';
import { regionOfArn } from '../../../contracts/arn';
import { ConfigError, type EnvConfig } from './env-config';
import { checkedRegionConfig } from './region-env';

/**
 * Where one primary and its replicas are, its name in the shard map, and the
 * logical shards the map gives it (moves recorded in the databases may have
 * taken some elsewhere since: see DatabaseCluster): contracts/database-targets'
 * `DatabaseTarget`, with pg's own connection type.
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
  /**
   * Reads the region configuration again (REGION_CONFIG_PARAMETER): the
   * regions plugin calls it every REGION_CONFIG_REFRESH_MS and keeps the
   * higher epoch. Throws a ConfigError for an unusable value. Absent for a
   * REGION_CONFIG literal and before stage 10m.
   */
  readonly readRegionConfig?: () => Promise<RegionConfig>;
}

/** Fetches secrets and parameters; injectable so tests need no AWS. */
export type SecretSource = SecretStore;

/**
 * The real source: Secrets Manager and SSM, loaded lazily so local runs never
 * touch the SDK. A secret is read from the region its ARN names (`region`,
 * the process's, only when it names none): a secret is found only in its own
 * region, and the second region of 10m reads its replicas there.
 */
export function awsSecretSource(region?: string): SecretSource {
  return {
    async getSecretString(arn) {
      const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient({ region: regionOfArn(arn) ?? region });
      try {
        const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
        // A binary secret has no SecretString: read as no fields, it fails naming the ones a connection needs.
        return out.SecretString ?? '{}';
      } finally {
        client.destroy();
      }
    },
    async getParameter(name) {
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
 * Resolves secrets into connection settings. `DATABASE_URL` is required here:
 * the embedded PostgreSQL fallback belongs to `dev.ts`, never to production.
 */
export async function resolveConfig(
  env: EnvConfig,
  source: SecretSource = awsSecretSource(env.awsRegion),
  rawEnv: Readonly<Record<string, string | undefined>> = process.env,
): Promise<AppConfig> {
  const primaries: PrimaryTarget[] = await resolveDatabaseTargets(env, source, rawEnv);
  let redisPassword: string | undefined;
  if (env.redisAuthSecretArn) {
    const secret = await readSecretJson(source, env.redisAuthSecretArn, 'REDIS_AUTH_SECRET_ARN');
    if (typeof secret.password !== 'string') throw new ConfigError('REDIS_AUTH_SECRET_ARN', 'points at a secret without a password field');
    redisPassword = secret.password;
  }
  const { regionConfigParameter: parameter, regionName } = env;
  if (!parameter || !regionName) return { ...env, primaries, redisPassword };
  const readRegionConfig = async () => checkedRegionConfig('REGION_CONFIG_PARAMETER', await source.getParameter(parameter), regionName);
  const regionConfig = await readRegionConfig().catch((error: unknown) => {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('REGION_CONFIG_PARAMETER', `cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  });
  return { ...env, primaries, redisPassword, regionConfig, readRegionConfig };
}
