import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { freePort } from '../../test/support/free-port';

/** A server child process under test. */
export interface RunningServer {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

function healthy(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const tail = (file: string) => readFileSync(file, 'utf8').slice(-3000);

/**
 * Runs `node <script>` on a free loopback port with ONLY `env` (plus PATH and
 * HOME: nothing leaks in from the caller, e.g. a stray REDIS_URL), output to
 * `logFile` (as journald would take it on an instance, and so the load
 * generator does not pay for reading it). Resolves once `GET /healthz` is 200.
 */
export interface SpawnOptions {
  /** @default 60 s */
  readonly timeoutMs?: number;
  /** Told the process as soon as it runs, before it is healthy (so an interrupted start can still end it). */
  readonly onSpawn?: (server: RunningServer) => void;
  /** Node's own flags (`--cpu-prof …`). @default none */
  readonly nodeArgs?: readonly string[];
}

export async function spawnServer(name: string, script: string, env: Record<string, string>, logFile: string, options: SpawnOptions = {}): Promise<RunningServer> {
  const { timeoutMs = 60_000, onSpawn, nodeArgs = [] } = options;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  onSpawn?.({ name, url, pid: child.pid!, stop });
  const deadline = Date.now() + timeoutMs;
  while (!(await healthy(url))) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was healthy:\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} was not healthy on ${url} within ${timeoutMs} ms:\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, url, pid: child.pid!, stop };
}
