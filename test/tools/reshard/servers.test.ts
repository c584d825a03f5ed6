import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecretStore } from '../../../contracts/database-targets';
import { CliError } from '../../../contracts/cli';
import { describeServer, loadServers } from '../../../tools/reshard/servers';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db';
const rds = (host: string) => JSON.stringify({ host, port: 5432, username: 'graminsta', password: 'secret-pw', dbname: 'graminsta' });

/** No AWS: secrets and parameters in memory. */
const store = (secrets: Record<string, string>, parameters: Record<string, string> = {}): SecretStore => ({
  getSecretString: async (arn) => secrets[arn] ?? Promise.reject(new Error(`no secret ${arn}`)),
  getParameter: async (name) => parameters[name] ?? Promise.reject(new Error(`no parameter ${name}`)),
});

const map = JSON.stringify({
  logicalShards: 4096,
  primaries: [
    { secretArn: `${ARN}0`, replicaHosts: ['r0:5432'], shards: [[0, 4095]] },
    { secretArn: `${ARN}1`, shards: [] },
  ],
});

describe('the servers of the shard map, read as the API reads them', () => {
  test('SHARD_MAP_PARAMETER and the primaries’ secrets come through the store, with the TLS the API uses', async () => {
    const servers = await loadServers(undefined, { SHARD_MAP_PARAMETER: '/graminsta/shard-map' }, store({ [`${ARN}0`]: rds('p0.example'), [`${ARN}1`]: rds('p1.example') }, { '/graminsta/shard-map': map }));
    expect(servers.map((s) => [s.name, s.index, describeServer(s), s.mapShards.length])).toEqual([
      ['primary-0', 0, 'primary-0 (p0.example:5432)', 4096],
      ['primary-1', 1, 'primary-1 (p1.example:5432)', 0],
    ]);
    expect(servers[0].config).toMatchObject({ user: 'graminsta', password: 'secret-pw', database: 'graminsta', ssl: { rejectUnauthorized: false } });
  });

  test('--map replaces every way the environment names the primaries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reshard-servers-'));
    try {
      const file = join(dir, 'map.json');
      writeFileSync(file, JSON.stringify({ logicalShards: 4096, primaries: [{ url: 'postgres://u:p@h:5433/a', shards: [[0, 4095]] }] }));
      const servers = await loadServers(file, { DATABASE_URL: 'postgres://u:p@elsewhere/db', SHARD_MAP_PARAMETER: '/p' }, store({}));
      expect(servers.map(describeServer)).toEqual(['primary-0 (h:5433)']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [{}, /^no shard map: pass --map <file> or set one of SHARD_MAP, SHARD_MAP_PARAMETER, SHARD_DATABASE_URLS, DATABASE_URL, DATABASE_SECRET_ARN \(as for the API\)$/],
    [{ DATABASE_SECRET_ARN: ARN }, /^invalid configuration: DATABASE_SECRET_ARN points at a secret without host, username and password$/],
    [{ SHARD_DATABASE_URLS: 'postgres://u:secret-pw@h/a', DATABASE_URL: 'postgres://u:secret-pw@h/b' }, /^invalid configuration: SHARD_DATABASE_URLS and DATABASE_URL are both set/],
  ])('%j → one CliError line (the API’s ConfigError), never a password', async (env, message) => {
    const error = await loadServers(undefined, env, store({ [ARN]: '{}' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('secret-pw');
  });

  test('only the database variables are read: the API’s other settings (here a bad PORT) do not concern the tool', async () => {
    const servers = await loadServers(undefined, { DATABASE_URL: 'postgres://u:p@h/db', PORT: 'http' }, store({}));
    expect(servers.map((s) => [s.name, s.mapShards.length])).toEqual([['primary-0', 4096]]);
  });
});
