import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClientConfig } from 'pg';
import { readDatabaseEnvironment, readSecretJson, resolveDatabaseTargets, type SecretStore } from '../../contracts/database-targets';
import { ConfigError, type Env } from '../../contracts/env-readers';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db';
const rds = (host: string, password = 'pw') => JSON.stringify({ host, port: 5432, username: 'graminsta', password, dbname: 'graminsta' });

/** Secrets and parameters in memory; `reads` counts secret reads. */
function store(secrets: Record<string, string>, parameters: Record<string, string> = {}): SecretStore & { reads: number } {
  const fake = {
    reads: 0,
    getSecretString: async (arn: string) => {
      fake.reads++;
      return secrets[arn] ?? Promise.reject(new Error(`no secret ${arn}`));
    },
    getParameter: async (name: string) => parameters[name] ?? Promise.reject(new Error(`no parameter ${name}`)),
  };
  return fake;
}

const targets = (env: Env, source: SecretStore) => resolveDatabaseTargets(readDatabaseEnvironment(env), source, env);

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('database targets from the environment', () => {
  test('DATABASE_URL is one primary owning every logical shard, with no secret to re-read', async () => {
    const [target, ...others] = await targets({ DATABASE_URL: 'postgres://u:p@h/db', DATABASE_REPLICA_URLS: 'postgres://u:p@r/db' }, store({}));
    expect(others).toEqual([]);
    expect(target).toMatchObject({ name: 'primary-0', primary: { connectionString: 'postgres://u:p@h/db' }, replicas: [{ connectionString: 'postgres://u:p@r/db' }], shards: [[0, 4095]] });
    expect(target.reread).toBeUndefined();
  });

  test('a secret becomes connection settings over TLS, unverified without DATABASE_CA_FILE; replica hosts share its credentials', async () => {
    const env = { DATABASE_SECRET_ARN: ARN, DATABASE_REPLICA_HOSTS: 'replica.example:5433' };
    const [target] = await targets(env, store({ [ARN]: rds('db.example') }));
    const expected = { host: 'db.example', port: 5432, user: 'graminsta', password: 'pw', database: 'graminsta', ssl: { rejectUnauthorized: false } };
    expect(target.primary).toEqual(expected);
    expect(target.replicas).toEqual([{ ...expected, host: 'replica.example', port: 5433 }]);
    // The settings are pg's by structure: contracts/ imports no pg.
    const config: ClientConfig = target.primary;
    expect(config.host).toBe('db.example');
  });

  test('with DATABASE_CA_FILE the server certificate is verified against that bundle; an unreadable one is a ConfigError naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'database-targets-'));
    try {
      const ca = join(dir, 'rds-ca.pem');
      writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n');
      const [target] = await targets({ DATABASE_SECRET_ARN: ARN, DATABASE_CA_FILE: ca }, store({ [ARN]: rds('db.example') }));
      expect(target.primary.ssl).toEqual({ ca: '-----BEGIN CERTIFICATE-----\n', rejectUnauthorized: true });
      const missing = join(dir, 'missing.pem');
      expect((await configError(targets({ DATABASE_SECRET_ARN: ARN, DATABASE_CA_FILE: missing }, store({ [ARN]: rds('db.example') })))).variable).toBe('DATABASE_CA_FILE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('reread reads the secret again: rotated credentials are picked up', async () => {
    const secrets = { [ARN]: rds('db.example', 'first') };
    const source = store(secrets);
    const [target] = await targets({ DATABASE_SECRET_ARN: ARN }, source);
    secrets[ARN] = rds('db.example', 'second');
    expect((await target.reread!()).primary.password).toBe('second');
    expect(source.reads).toBe(2);
  });

  test('SHARD_MAP_PARAMETER is read through the store, each primary from its secret; a shard map wins over DATABASE_SECRET_ARN', async () => {
    const map = JSON.stringify({
      logicalShards: 4096,
      primaries: [
        { secretArn: `${ARN}1`, replicaHosts: ['r1:5432'], shards: [0, 2047] },
        { name: 'spare', secretArn: `${ARN}2`, shards: [2048, 4095] },
      ],
    });
    const source = store({ [`${ARN}1`]: rds('p1'), [`${ARN}2`]: rds('p2') }, { '/graminsta/shard-map': map });
    const resolved = await targets({ SHARD_MAP_PARAMETER: '/graminsta/shard-map', DATABASE_SECRET_ARN: `${ARN}9` }, source);
    expect(resolved.map((t) => [t.name, t.primary.host, t.replicas.map((r) => r.host), t.shards])).toEqual([
      ['primary-0', 'p1', ['r1'], [[0, 2047]]],
      ['spare', 'p2', [], [[2048, 4095]]],
    ]);
  });

  test("a primary's host replaces the secret's (stage 10m's second region): its credentials, the local server; the secret's server is kept as secretServer", async () => {
    const map = JSON.stringify({ logicalShards: 4096, primaries: [{ secretArn: `${ARN}1`, host: 'local-replica:5433', shards: [0, 4095] }] });
    const [target] = await targets({ SHARD_MAP: map }, store({ [`${ARN}1`]: rds('home-primary', 'pw1') }));
    expect(target.primary).toMatchObject({ host: 'local-replica', port: 5433, user: 'graminsta', password: 'pw1' });
    expect(target.secretServer).toMatchObject({ host: 'home-primary', port: 5432, password: 'pw1' });
    expect((await target.reread!()).primary.host).toBe('local-replica');
  });

  test('SHARD_DATABASE_URLS: one primary per URL, even ranges', async () => {
    const resolved = await targets({ SHARD_DATABASE_URLS: 'postgres://h/a, postgres://h/b' }, store({}));
    expect(resolved.map((t) => [t.name, t.primary.connectionString, t.shards])).toEqual([
      ['primary-0', 'postgres://h/a', [[0, 2047]]],
      ['primary-1', 'postgres://h/b', [[2048, 4095]]],
    ]);
  });

  test.each([
    [{ DATABASE_URL: 'postgres://u:secretpw@h/db', DATABASE_SECRET_ARN: ARN }, 'DATABASE_SECRET_ARN'],
    [{ SHARD_MAP: '{"logicalShards":4096,"primaries":[]}', SHARD_MAP_PARAMETER: '/p' }, 'SHARD_MAP'],
    [{ SHARD_DATABASE_URLS: 'postgres://u:secretpw@h/a', DATABASE_SECRET_ARN: ARN }, 'SHARD_DATABASE_URLS'],
    [{ DATABASE_REPLICA_HOSTS: 'r1:5432', DATABASE_URL: 'postgres://u:secretpw@h/db' }, 'DATABASE_REPLICA_HOSTS'],
  ])('%j → a ConfigError naming %s, without echoing secrets', (env, variable) => {
    let error: unknown;
    try {
      readDatabaseEnvironment(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).not.toContain('secretpw');
  });

  test('resolving fails naming the variable: nothing set, a bad parameter, a secret without credentials or not JSON (never echoed)', async () => {
    expect((await configError(targets({}, store({})))).message).toMatch(/DATABASE_URL is not set/);
    expect((await configError(targets({ SHARD_MAP_PARAMETER: '/p' }, store({}, { '/p': '{}' })))).message).toMatch(/SHARD_MAP_PARAMETER holds an invalid shard map/);
    expect((await configError(targets({ DATABASE_SECRET_ARN: ARN }, store({ [ARN]: '{"host":"h"}' })))).message).toMatch(/DATABASE_SECRET_ARN points at a secret without host, username and password/);
    const notJson = await configError(targets({ DATABASE_SECRET_ARN: ARN }, store({ [ARN]: 'password=secretpw' })));
    expect(notJson.variable).toBe('DATABASE_SECRET_ARN');
    expect(notJson.message).not.toContain('secretpw');
  });

  test('readSecretJson parses a secret for other readers (Redis AUTH) and names their variable', async () => {
    expect(await readSecretJson(store({ [ARN]: '{"password":"t"}' }), ARN, 'REDIS_AUTH_SECRET_ARN')).toEqual({ password: 't' });
    expect((await configError(readSecretJson(store({ [ARN]: '[1]' }), ARN, 'REDIS_AUTH_SECRET_ARN'))).message).toMatch(/REDIS_AUTH_SECRET_ARN points at a secret that is not a JSON object/);
  });
});
