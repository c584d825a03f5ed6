import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { freePort } from './free-port';

/** A throwaway Redis server for one test file. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server; `start()` brings it back on the same port (fault tests), empty: nothing is persisted. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGKILL: the server dies without closing its connections cleanly (fault tests; `start()` brings it back empty). */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open but nothing is answered (a hung server, fault tests). */
  pause(): void;
  resume(): void;
}

/** True when Redis tests can run: a `REDIS_URL` is given or `redis-server` is installed. */
export function redisAvailable(): boolean {
  if (process.env.REDIS_URL) return true;
  return spawnSync('redis-server', ['--version']).status === 0;
}

/**
 * `describe` for suites that need Redis. In CI (CI=true) a missing Redis fails
 * the suite; elsewhere the suite is skipped with a loud message.
 */
export const describeWithRedis: jest.Describe = ((name: string, fn: () => void) => {
  if (redisAvailable() || process.env.CI) return describe(name, fn);
  // eslint-disable-next-line no-console
  console.warn(`\n*** SKIPPED "${name}": no redis-server on PATH and no REDIS_URL. Install it (apt-get install redis-server) to run these tests. ***\n`);
  return describe.skip(name, fn);
}) as jest.Describe;

function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve();
      });
      socket.on('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Starts Debian's `redis-server` on a free loopback port with no persistence.
 * When `REDIS_URL` is set, that server is used instead (stop/start then throw,
 * since a shared server cannot be stopped by a test).
 */
export async function startRedis(): Promise<TestRedis> {
  const given = process.env.REDIS_URL;
  if (given) {
    const port = Number(new URL(given).port || 6379);
    const refuse = async () => {
      throw new Error('cannot stop a Redis given through REDIS_URL');
    };
    const refuseNow = () => {
      throw new Error('cannot pause a Redis given through REDIS_URL');
    };
    return { url: given, port, stop: refuse, start: refuse, kill: refuse, pause: refuseNow, resume: refuseNow };
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitForPort(port);
  };
  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      // A paused server must run again to act on SIGTERM.
      running.kill('SIGCONT');
      running.kill(signal);
    });
  };
  const signal = (name: NodeJS.Signals) => {
    if (!child) throw new Error('redis-server is not running');
    child.kill(name);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => end('SIGTERM'),
    start,
    kill: () => end('SIGKILL'),
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
}
