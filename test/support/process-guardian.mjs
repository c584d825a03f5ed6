// Runs one command (a PostgreSQL server of the two-region harness) and makes
// sure it never outlives the test: when the parent closes stdin (a test
// finished, failed or was killed), the command gets SIGQUIT (PostgreSQL's
// immediate shutdown), SIGKILL 5 s later, and the directory named by
// GUARDIAN_REMOVE is removed. Prints one JSON line `{"pid": n}` once the
// command runs and `{"exit": code, "signal": name}` when it ends; stays until
// stdin closes (a killed server's files are kept for the test, removed then).
// The command's uid/gid come from GUARDIAN_UID/GUARDIAN_GID when set (root
// starting PostgreSQL as the `postgres` user).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

const [command, ...args] = process.argv.slice(2);
const remove = process.env.GUARDIAN_REMOVE;
const ids = process.env.GUARDIAN_UID ? { uid: Number(process.env.GUARDIAN_UID), gid: Number(process.env.GUARDIAN_GID) } : {};
const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...ids });
let stderr = '';
child.stderr.on('data', (chunk) => {
  stderr = (stderr + chunk.toString()).slice(-4000);
});
const cleanup = () => {
  if (remove) rmSync(remove, { recursive: true, force: true });
};
child.once('spawn', () => process.stdout.write(`${JSON.stringify({ pid: child.pid })}\n`));
child.once('error', (error) => {
  process.stdout.write(`${JSON.stringify({ exit: null, error: error.message })}\n`);
  cleanup();
  process.exit(1);
});
child.once('exit', (code, signal) => {
  process.stdout.write(`${JSON.stringify({ exit: code, signal, stderr: code ? stderr.trim().split('\n').slice(-3).join(' | ') : '' })}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => {
  if (child.exitCode !== null || child.signalCode !== null) {
    cleanup();
    process.exit(0);
  }
  child.removeAllListeners('exit');
  child.once('exit', () => {
    cleanup();
    process.exit(0);
  });
  child.kill('SIGQUIT');
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
});
