import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evenShardRanges } from '../../../contracts/shard-map';
import { startApi, type RunningApi } from '../../support/api-server';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { sql } from '../../support/postgres-servers';
import { SecretsManagerStandIn } from '../../support/secrets-manager-stand-in';
import { call } from '../support/http';
import { signUpOnServer } from '../support/shard-users';

const ARN = (name: string) => `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`;

/** A self-signed certificate for the test server: RDS enforces TLS, and the API speaks TLS to a secret's database. */
function serverCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'server.pem');
  const key = join(dir, 'server.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
  // PostgreSQL (as the postgres user when run as root) reads the key and refuses one others can read.
  if (process.getuid?.() === 0) {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim()));
    chownSync(key, uid, gid);
    chownSync(cert, uid, gid);
  }
  chmodSync(key, 0o600);
  return { cert, key };
}

/**
 * The API re-reads a database secret when the server refuses its
 * credentials (Secrets Manager rotation, an RDS-managed master password),
 * instead of only at start. Secrets Manager is a stand-in over HTTP that the
 * AWS SDK reaches through AWS_ENDPOINT_URL_SECRETS_MANAGER; PostgreSQL checks
 * passwords (scram/md5 over TLS) as RDS does.
 */
describe('database credentials rotated while the API runs', () => {
  let certDir: string;
  let pg: TestPostgres;
  let port: number;

  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'graminsta-tls-'));
    chmodSync(certDir, 0o755);
    pg = await startPostgres({ listen: '127.0.0.1', ssl: serverCertificate(certDir) });
    port = Number(new URL(pg.url).port);
  });
  afterAll(async () => {
    await pg?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  /** A role owning a fresh database, and the secret RDS would keep for it. */
  async function database(role: string, password: string): Promise<string> {
    await sql(pg.url, `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await sql(pg.url, `CREATE DATABASE ${role} OWNER ${role}`);
    return secretJson(role, password);
  }
  const secretJson = (role: string, password: string) => JSON.stringify({ host: '127.0.0.1', port, username: role, password, dbname: role, engine: 'postgres' });

  /** The rotation: new password on the server and in the secret, and the role's open connections gone (as after an idle timeout or a restart). */
  async function rotate(secrets: SecretsManagerStandIn, role: string, arn: string, password: string): Promise<void> {
    await sql(pg.url, `ALTER ROLE ${role} PASSWORD '${password}'`);
    secrets.rotate(arn, secretJson(role, password));
    await sql(pg.url, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [role]);
  }

  const awsEnv = (secrets: SecretsManagerStandIn) => ({
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });

  test('DATABASE_SECRET_ARN: after a rotation requests keep succeeding, the secret read again', async () => {
    const arn = ARN('rotating-single');
    const secrets = await SecretsManagerStandIn.start({ [arn]: await database('rot_single', 'first-password') });
    const api: RunningApi = await startApi({ databaseUrl: '', env: { DATABASE_SECRET_ARN: arn, ...awsEnv(secrets) } });
    try {
      const created = await call(api.url, 'POST', '/api/users', { body: { username: 'before_rotation', password: 'password123' } });
      expect(created.status).toBe(201);
      const readsAtStart = secrets.reads.get(arn) ?? 0;
      await rotate(secrets, 'rot_single', arn, 'second-password');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await call(api.url, 'GET', `/api/users/${created.body.id}`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      expect((await call(api.url, 'POST', '/api/users', { body: { username: 'after_rotation', password: 'password123' } })).status).toBe(201);
      expect(secrets.reads.get(arn)).toBe(readsAtStart + 1);
    } finally {
      await api.stop();
      await secrets.stop();
    }
  }, 120_000);

  test("shard map secretArn: a rotated primary's secret is read again, the other primary's is not", async () => {
    const [arn0, arn1] = [ARN('rotating-p0'), ARN('rotating-p1')];
    const secrets = await SecretsManagerStandIn.start({ [arn0]: await database('rot_p0', 'p0-first'), [arn1]: await database('rot_p1', 'p1-first') });
    const [range0, range1] = evenShardRanges(2);
    const shardMap = JSON.stringify({
      logicalShards: 4096,
      primaries: [
        { name: 'primary-0', secretArn: arn0, shards: [range0] },
        { name: 'primary-1', secretArn: arn1, shards: [range1] },
      ],
    });
    const api = await startApi({ databaseUrl: '', env: { SHARD_MAP: shardMap, ...awsEnv(secrets) } });
    try {
      const onOne = await signUpOnServer(api.url, 1);
      const onZero = await signUpOnServer(api.url, 0);
      const before = [secrets.reads.get(arn0), secrets.reads.get(arn1)];
      await rotate(secrets, 'rot_p1', arn1, 'p1-second');
      expect((await call(api.url, 'GET', `/api/users/${onOne.id}`)).status).toBe(200);
      expect((await call(api.url, 'PUT', `/api/users/${onZero.id}/follow`, { token: onOne.token })).status).toBe(204);
      expect((await call(api.url, 'GET', `/api/users/${onZero.id}`)).body.followerCount).toBe(1);
      expect([secrets.reads.get(arn0), secrets.reads.get(arn1)]).toEqual([before[0], (before[1] ?? 0) + 1]);
    } finally {
      await api.stop();
      await secrets.stop();
    }
  }, 120_000);
});
