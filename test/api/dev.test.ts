import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const ROOT = join(__dirname, '..', '..');

interface Dev {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `npm run dev` on a data directory of its own (any free port), as a developer runs it. */
function startDev(dataDir: string): Dev {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'SHARD_MAP', 'SHARD_DATABASE_URLS', 'QUEUE', 'WEB_ROOT']) delete env[key];
  // Its own process group, as a terminal runs it: Ctrl-C signals the whole group (npm, tsx, node), not npm alone.
  const child = spawn('npm', ['run', '-s', 'dev'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, output: () => output, exited };
}

/** Ctrl-C: SIGINT to the process group. */
function interrupt(dev: Dev): void {
  process.kill(-dev.child.pid!, 'SIGINT');
}

async function until(what: string, probe: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm run dev', () => {
  jest.setTimeout(180_000);
  let dataDir: string;
  let first: Dev | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'graminsta-dev-'));
  });
  afterAll(async () => {
    if (first && first.child.exitCode === null && first.child.signalCode === null) {
      interrupt(first);
      await first.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('prints the embedded database URL with its password hidden, and writes the whole URL to a file only its owner reads', async () => {
    first = startDev(dataDir);
    await until('the API to listen', () => /Graminsta API: http:\/\/127\.0\.0\.1:\d+/.test(first!.output()));
    const urlFile = join(dataDir, 'database-url');
    const url = readFileSync(urlFile, 'utf8').trim();
    const password = new URL(url).password;
    expect(password.length).toBeGreaterThan(8);
    expect(first.output()).not.toContain(password);
    expect(first.output()).toMatch(/postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/graminsta/);
    expect(first.output()).toContain(`DATABASE_URL=$(cat ${urlFile})`);
    expect(statSync(urlFile).mode & 0o077).toBe(0);
    // The URL works for local tools: the API's own tables are there.
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query("SELECT to_regclass('public.users') AS t")).rows[0].t).toBe('users');
    } finally {
      await client.end();
    }
  });

  test('a second one on the same data directory says it is in use and by which process, exits 1, and leaves the first running', async () => {
    const holder = readFileSync(join(dataDir, 'dev.pid'), 'utf8').trim();
    const second = startDev(dataDir);
    expect(await second.exited).toBe(1);
    expect(second.output().trim()).toBe(
      `dev: the data directory ${dataDir} is in use by another npm run dev (PID ${holder}): stop it, or run this one with another DATA_DIR`,
    );
    expect(second.output()).not.toMatch(/TypeError|at .*dev\.ts/);
    expect(first!.child.exitCode).toBeNull();
    expect(readFileSync(join(dataDir, 'dev.pid'), 'utf8').trim()).toBe(holder);
  });

  test('Ctrl-C stops it and frees the data directory; a pid file left by a killed run is taken over', async () => {
    interrupt(first!);
    await first!.exited; // npm itself dies of the signal; the server behind it closes the API, then PostgreSQL
    await until('the data directory to be released', () => !existsSync(join(dataDir, 'dev.pid')), 30_000);
    expect(existsSync(join(dataDir, 'database-url'))).toBe(false);
    await until('PostgreSQL to stop', () => !existsSync(join(dataDir, 'postgres', 'data', 'postmaster.pid')), 30_000);

    // A killed run's pid file: its process is gone.
    writeFileSync(join(dataDir, 'dev.pid'), '2147483646\n');
    first = startDev(dataDir);
    await until('the API to listen again', () => /Graminsta API:/.test(first!.output()));
    interrupt(first);
    await first.exited;
    await until('the data directory to be released again', () => !existsSync(join(dataDir, 'dev.pid')), 30_000);
  });
});
