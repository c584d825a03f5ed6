import { ConfigError, loadEnvConfig } from '../../../api/src/config/env-config';
import { resolveConfig, type SecretSource } from '../../../api/src/config/resolve-config';

const CONFIG = {
  home: 'us-east-1',
  epoch: 3,
  regions: [
    { name: 'us-east-1', apiUrl: 'http://10.0.0.10' },
    { name: 'eu-west-1', apiUrl: 'http://10.1.0.10' },
  ],
};
const DB = { DATABASE_URL: 'postgres://u:p@localhost/db' };

const parameterSource = (value: string | Error): SecretSource => ({
  getSecretString: async () => {
    throw new Error('no secrets here');
  },
  getParameter: async (name) => {
    if (value instanceof Error) throw value;
    if (name !== '/app/region-config') throw new Error(`unexpected parameter ${name}`);
    return value;
  },
});

const problem = (env: Record<string, string>) => {
  try {
    loadEnvConfig({ ...DB, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('region configuration from the environment (stage 10m)', () => {
  test('before 10m: no region, nothing about regions configured', () => {
    const config = loadEnvConfig(DB);
    expect(config.regionName).toBeUndefined();
    expect(config.regionConfig).toBeUndefined();
    expect(config).toMatchObject({ regionConfigRefreshMs: 5000, regionReadWaitMs: 500, regionCacheTtlSeconds: 5 });
  });

  test('REGION_CONFIG: parsed at load; the region name comes from REGION_NAME, else AWS_REGION', () => {
    expect(loadEnvConfig({ ...DB, REGION_CONFIG: JSON.stringify(CONFIG), AWS_REGION: 'eu-west-1' })).toMatchObject({ regionName: 'eu-west-1', regionConfig: CONFIG });
    expect(loadEnvConfig({ ...DB, REGION_CONFIG: JSON.stringify(CONFIG), AWS_REGION: 'eu-west-1', REGION_NAME: 'us-east-1' }).regionName).toBe('us-east-1');
  });

  test.each([
    [{ REGION_CONFIG: '{', REGION_NAME: 'us-east-1' }, 'invalid configuration: REGION_CONFIG is not usable here (region us-east-1): region configuration is not valid JSON'],
    [{ REGION_CONFIG: JSON.stringify(CONFIG), REGION_NAME: 'ap-south-1' }, 'invalid configuration: REGION_CONFIG is not usable here (region ap-south-1): region configuration has no region ap-south-1 (regions: us-east-1, eu-west-1)'],
    [{ REGION_CONFIG: JSON.stringify(CONFIG) }, 'invalid configuration: REGION_NAME is not set (nor AWS_REGION): REGION_CONFIG needs to know which of its regions this API is in'],
    [{ REGION_CONFIG: JSON.stringify(CONFIG), REGION_CONFIG_PARAMETER: '/app/region-config', REGION_NAME: 'us-east-1' }, 'invalid configuration: REGION_CONFIG and REGION_CONFIG_PARAMETER are both set; set only one'],
    [{ REGION_NAME: 'us-east-1' }, 'invalid configuration: REGION_NAME is set without a region configuration (REGION_CONFIG or REGION_CONFIG_PARAMETER)'],
    [{ REGION_CONFIG_PARAMETER: '/app/region-config', REGION_NAME: 'us-east-1', REDIS_URL: 'redis://localhost:6379', SESSIONS_DATABASE_FALLBACK: 'false' }, /^invalid configuration: SESSIONS_DATABASE_FALLBACK must stay on with REGION_CONFIG_PARAMETER/],
    [{ REGION_CONFIG_REFRESH_MS: '10' }, 'invalid configuration: REGION_CONFIG_REFRESH_MS must be between 100 and 3600000, got 10'],
    [{ REGION_CACHE_TTL_SECONDS: '0' }, 'invalid configuration: REGION_CACHE_TTL_SECONDS must be between 1 and 3600, got 0'],
  ])('refuses %j', (env, message) => {
    if (typeof message === 'string') expect(problem(env)).toBe(message);
    else expect(problem(env)).toMatch(message);
  });

  test('REGION_CONFIG_PARAMETER: read at start, and readable again for the refresh', async () => {
    const env = loadEnvConfig({ ...DB, REGION_CONFIG_PARAMETER: '/app/region-config', REGION_NAME: 'eu-west-1' });
    const config = await resolveConfig(env, parameterSource(JSON.stringify(CONFIG)), {});
    expect(config.regionConfig).toEqual(CONFIG);
    await expect(config.readRegionConfig!()).resolves.toEqual(CONFIG);
  });

  test.each([
    [JSON.stringify({ ...CONFIG, home: 'sa-east-1' }), 'invalid configuration: REGION_CONFIG_PARAMETER is not usable here (region eu-west-1): region configuration home must be one of us-east-1, eu-west-1, got "sa-east-1"'],
    [new Error('AccessDenied'), 'invalid configuration: REGION_CONFIG_PARAMETER cannot be read: AccessDenied'],
  ])('an unusable parameter at start stops the start naming REGION_CONFIG_PARAMETER (%#)', async (value, message) => {
    const env = loadEnvConfig({ ...DB, REGION_CONFIG_PARAMETER: '/app/region-config', REGION_NAME: 'eu-west-1' });
    await expect(resolveConfig(env, parameterSource(value), {})).rejects.toThrow(new ConfigError('REGION_CONFIG_PARAMETER', message.replace('invalid configuration: REGION_CONFIG_PARAMETER ', '')));
  });
});
