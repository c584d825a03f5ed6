import { ConfigError, loadEnvConfig } from '../../../api/src/config/env-config';
import { resolveConfig, type SecretSource } from '../../../api/src/config/resolve-config';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db';

describe('configuration from the environment', () => {
  test('local defaults: port 3000 on loopback, ./.data, proxy uploads, production scrypt, 30 s user cache', () => {
    const config = loadEnvConfig({}, '/srv/app');
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      logLevel: 'info',
      dataDir: '/srv/app/.data',
      uploadMode: 'proxy',
      passwordHashCost: 'production',
      userCacheTtlSeconds: 30,
      redisCluster: false,
      replicaUrls: [],
    });
  });

  test('reads the variables the stacks set at 100k', () => {
    const config = loadEnvConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_SECRET_ARN: ARN,
      DATABASE_REPLICA_HOSTS: 'r1.example:5432, r2.example:5432',
      REDIS_URL: 'rediss://cfg.cache.amazonaws.com:6379',
      REDIS_CLUSTER: 'true',
      UPLOADS_BUCKET: 'uploads-bucket-1',
      UPLOAD_MODE: 'presigned',
      MEDIA_BASE_URL: 'https://d111.cloudfront.net',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseSecretArn: ARN,
      replicaHosts: ['r1.example:5432', 'r2.example:5432'],
      redisCluster: true,
      uploadMode: 'presigned',
      mediaBaseUrl: 'https://d111.cloudfront.net/',
    });
  });

  test('SHARD_DATABASE_URLS is a list of primaries (primary-0..n-1, even ranges); the move refresh and write wait have defaults', () => {
    const config = loadEnvConfig({ SHARD_DATABASE_URLS: 'postgres://h/a, postgres://h/b' });
    expect(config.shardMap?.primaries.map((p) => [p.name, p.url, p.shards])).toEqual([
      ['primary-0', 'postgres://h/a', [[0, 2047]]],
      ['primary-1', 'postgres://h/b', [[2048, 4095]]],
    ]);
    expect([config.shardMovesRefreshMs, config.shardWriteWaitMs]).toEqual([2000, 5000]);
    const tuned = loadEnvConfig({ SHARD_MOVES_REFRESH_MS: '500', SHARD_WRITE_WAIT_MS: '0' });
    expect([tuned.shardMovesRefreshMs, tuned.shardWriteWaitMs]).toEqual([500, 0]);
  });

  test('TRUST_PROXY is a hop count (false: 0); true, which would let clients choose their address, is refused', () => {
    expect(loadEnvConfig({ TRUST_PROXY: '2' }).trustProxyHops).toBe(2);
    expect(loadEnvConfig({ TRUST_PROXY: 'false' }).trustProxyHops).toBe(0);
    expect(loadEnvConfig({}).trustProxyHops).toBe(0);
    expect(() => loadEnvConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY must be the number of proxies/);
    expect(() => loadEnvConfig({ TRUST_PROXY: 'all' })).toThrow(/TRUST_PROXY/);
    expect(() => loadEnvConfig({ TRUST_PROXY: '11' })).toThrow(/TRUST_PROXY/);
  });

  test.each([
    [{ PORT: 'http' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://u:secretpw@h/db' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url with secretpw' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://h/db', DATABASE_SECRET_ARN: ARN }, 'DATABASE_SECRET_ARN'],
    [{ DATABASE_SECRET_ARN: 'my-secret' }, 'DATABASE_SECRET_ARN'],
    [{ DATABASE_REPLICA_URLS: 'postgres://h/db,http://x' }, 'DATABASE_REPLICA_URLS'],
    [{ DATABASE_REPLICA_HOSTS: 'r1:5432' }, 'DATABASE_REPLICA_HOSTS'],
    [{ SHARD_MAP: '{}' }, 'SHARD_MAP'],
    [{ SHARD_MAP: '{"logicalShards":4096,"primaries":[]}', SHARD_MAP_PARAMETER: '/p' }, 'SHARD_MAP'],
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER: 'yes' }, 'REDIS_CLUSTER'],
    [{ UPLOADS_BUCKET: 'Bad_Bucket' }, 'UPLOADS_BUCKET'],
    [{ UPLOAD_MODE: 'direct' }, 'UPLOAD_MODE'],
    [{ MEDIA_BASE_URL: 'ftp://cdn' }, 'MEDIA_BASE_URL'],
    [{ PASSWORD_HASH_COST: 'low' }, 'PASSWORD_HASH_COST'],
    [{ NEAR_CACHE_TTL_MS: '-1' }, 'NEAR_CACHE_TTL_MS'],
    [{ SHARD_DATABASE_URLS: 'postgres://u:secretpw@h/a,mysql://u:secretpw@h/b' }, 'SHARD_DATABASE_URLS'],
    [{ SHARD_DATABASE_URLS: 'postgres://u:secretpw@h/a,postgres://u:secretpw@h/a' }, 'SHARD_DATABASE_URLS'],
    [{ SHARD_DATABASE_URLS: 'postgres://u:secretpw@h/a', DATABASE_URL: 'postgres://u:secretpw@h/b' }, 'SHARD_DATABASE_URLS'],
    [{ SHARD_DATABASE_URLS: 'postgres://u:secretpw@h/a', SHARD_MAP_PARAMETER: '/p' }, 'SHARD_DATABASE_URLS'],
    [{ SHARD_MAP: '{"logicalShards":4096,"primaries":[{"name":"A","url":"postgres://u:secretpw@h/a","shards":[]}]}' }, 'SHARD_MAP'],
    [{ SHARD_MOVES_REFRESH_MS: '10' }, 'SHARD_MOVES_REFRESH_MS'],
    [{ SHARD_WRITE_WAIT_MS: 'soon' }, 'SHARD_WRITE_WAIT_MS'],
  ])('%j → one ConfigError naming %s, without echoing secrets', (env, variable) => {
    let error: unknown;
    try {
      loadEnvConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
    expect((error as Error).message).not.toContain('secretpw');
  });

  describe('resolving secrets', () => {
    const source = (secrets: Record<string, Record<string, unknown>>, parameters: Record<string, string> = {}): SecretSource => ({
      getSecretString: async (arn) => (arn in secrets ? JSON.stringify(secrets[arn]) : Promise.reject(new Error(`no secret ${arn}`))),
      getParameter: async (name) => parameters[name] ?? Promise.reject(new Error(`no parameter ${name}`)),
    });

    test('the RDS secret becomes the primary, replica hosts share its credentials, Redis AUTH comes from its secret', async () => {
      const rds = { host: 'db.example', port: 5432, username: 'graminsta', password: 'pw', dbname: 'graminsta' };
      const config = await resolveConfig(
        loadEnvConfig({ DATABASE_SECRET_ARN: ARN, DATABASE_REPLICA_HOSTS: 'replica.example:5433', REDIS_URL: 'rediss://c:6379', REDIS_AUTH_SECRET_ARN: `${ARN}-redis` }),
        source({ [ARN]: rds, [`${ARN}-redis`]: { password: 'redis-token' } }),
        {},
      );
      expect(config.primaries).toHaveLength(1);
      expect(config.primaries[0].primary).toMatchObject({ host: 'db.example', user: 'graminsta', password: 'pw', database: 'graminsta' });
      expect(config.primaries[0].replicas[0]).toMatchObject({ host: 'replica.example', port: 5433, user: 'graminsta', password: 'pw' });
      expect(config.primaries[0].shards).toEqual([[0, 4095]]);
      expect(config.primaries[0].name).toBe('primary-0');
      expect(config.redisPassword).toBe('redis-token');
    });

    test('SHARD_MAP_PARAMETER is read from SSM and each primary from its secret', async () => {
      const map = JSON.stringify({
        logicalShards: 4096,
        primaries: [
          { secretArn: `${ARN}1`, replicaHosts: ['r1:5432'], shards: [0, 2047] },
          { secretArn: `${ARN}2`, shards: [2048, 4095] },
        ],
      });
      const secret = (host: string) => ({ host, port: 5432, username: 'u', password: 'p', dbname: 'd' });
      const config = await resolveConfig(loadEnvConfig({ SHARD_MAP_PARAMETER: '/graminsta/shard-map' }), source({ [`${ARN}1`]: secret('p1'), [`${ARN}2`]: secret('p2') }, { '/graminsta/shard-map': map }), {});
      expect(config.primaries.map((p) => [p.primary.host, p.replicas.map((r) => r.host), p.shards])).toEqual([
        ['p1', ['r1'], [[0, 2047]]],
        ['p2', [], [[2048, 4095]]],
      ]);
    });

    test('no database at all is a ConfigError naming DATABASE_URL', async () => {
      await expect(resolveConfig(loadEnvConfig({}), source({}), {})).rejects.toThrow(/DATABASE_URL is not set/);
    });
  });
});
