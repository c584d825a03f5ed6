import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTempDirs } from '../../lib/stale-temp-dirs';

test('removes only the prefixed temp dirs whose process is gone', () => {
  // A process that has exited: its id is free (reuse within this test is practically impossible).
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  const prefix = `graminsta-stale-test-${process.pid}-`;
  const dirs = {
    dead: join(tmpdir(), `${prefix}x-${dead}`),
    mine: join(tmpdir(), `${prefix}x-${process.pid}`),
    parent: join(tmpdir(), `${prefix}x-${process.ppid}`),
    noPid: join(tmpdir(), `${prefix}x-latest`),
    otherPrefix: join(tmpdir(), `graminsta-other-test-${dead}`),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  removeStaleTempDirs(prefix);
  expect(Object.fromEntries(Object.entries(dirs).map(([name, dir]) => [name, existsSync(dir)]))).toEqual({
    dead: false,
    mine: true,
    parent: true,
    noPid: true,
    otherPrefix: true,
  });
});
