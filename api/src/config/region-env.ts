import { parseRegionConfig, type RegionConfig, RegionConfigError, regionEntry } from '../../../contracts/region-config';
import { boolean, ConfigError, type Env, integer, text } from '../../../contracts/env-readers';

/**
 * Stage 10m's region settings as read from the environment (docs/region-routing.md):
 * absent at every stage before 10m, where nothing about regions changes.
 */
export interface RegionEnvironment {
  /**
   * This API's region, as the region configuration names it (REGION_NAME, else AWS_REGION).
   * Set exactly when a region configuration is.
   */
  readonly regionName?: string;
  /** REGION_CONFIG: the configuration itself (local runs, tests); its reading at start when REGION_CONFIG_PARAMETER is used. */
  readonly regionConfig?: RegionConfig;
  /** REGION_CONFIG_PARAMETER: the SSM parameter holding it, re-read every `regionConfigRefreshMs`. */
  readonly regionConfigParameter?: string;
  /** How often the parameter is re-read; a higher epoch replaces the configuration in hand. @default 5000 */
  readonly regionConfigRefreshMs: number;
  /**
   * Outside the home region: how long a read whose client wrote at home waits
   * for the local replicas to replay that write before it is forwarded home. @default 500
   */
  readonly regionReadWaitMs: number;
  /**
   * Outside the home region: lifetime of cache entries filled from the local
   * replicas (`user:{id}`, session copies), which home's invalidations never
   * reach: with the replicas' lag, the staleness bound of the region's cache. @default 5
   */
  readonly regionCacheTtlSeconds: number;
}

const REGION_VARIABLES = ['REGION_CONFIG', 'REGION_CONFIG_PARAMETER'] as const;

/** Reads the REGION_* variables; throws a ConfigError naming the first bad one. */
export function loadRegionEnvironment(env: Env): RegionEnvironment {
  const literal = text(env, 'REGION_CONFIG');
  const regionConfigParameter = text(env, 'REGION_CONFIG_PARAMETER');
  if (literal && regionConfigParameter) throw new ConfigError('REGION_CONFIG', 'and REGION_CONFIG_PARAMETER are both set; set only one');
  const settings = {
    regionConfigRefreshMs: integer(env, 'REGION_CONFIG_REFRESH_MS', 5000, 100, 3_600_000),
    regionReadWaitMs: integer(env, 'REGION_READ_WAIT_MS', 500, 0, 10_000),
    regionCacheTtlSeconds: integer(env, 'REGION_CACHE_TTL_SECONDS', 5, 1, 3600),
  };
  if (!literal && !regionConfigParameter) {
    if (text(env, 'REGION_NAME')) throw new ConfigError('REGION_NAME', `is set without a region configuration (${REGION_VARIABLES.join(' or ')})`);
    return settings;
  }
  const variable = literal ? 'REGION_CONFIG' : 'REGION_CONFIG_PARAMETER';
  const regionName = text(env, 'REGION_NAME') ?? text(env, 'AWS_REGION');
  if (!regionName) throw new ConfigError('REGION_NAME', `is not set (nor AWS_REGION): ${variable} needs to know which of its regions this API is in`);
  // Sessions made at home reach another region only through the replicated table.
  if (text(env, 'REDIS_URL') && !boolean(env, 'SESSIONS_DATABASE_FALLBACK', true)) {
    throw new ConfigError('SESSIONS_DATABASE_FALLBACK', `must stay on with ${variable}: another region finds the sessions made at home in the replicated sessions table`);
  }
  const regionConfig = literal ? checkedRegionConfig('REGION_CONFIG', literal, regionName) : undefined;
  return { ...settings, regionName, regionConfig, regionConfigParameter };
}

/** Parses a region configuration and checks it names this API's region; a ConfigError names `variable`. */
export function checkedRegionConfig(variable: 'REGION_CONFIG' | 'REGION_CONFIG_PARAMETER', json: string, regionName: string): RegionConfig {
  try {
    const config = parseRegionConfig(json);
    regionEntry(config, regionName);
    return config;
  } catch (error) {
    if (error instanceof RegionConfigError) throw new ConfigError(variable, `is not usable here (region ${regionName}): ${error.message}`);
    throw error;
  }
}
