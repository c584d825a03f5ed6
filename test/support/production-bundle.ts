import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApiBundle } from '../../api/build';

const BUNDLE_PREFIX = 'graminsta-api-bundle-';
let serverFile: string | undefined;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The production bundle as shipped (dist/api: `server.js` and `worker.js`),
 * built once per test process into `<tmp>/graminsta-api-bundle-<pid>`; returns
 * its directory. Jest workers can end without an 'exit' event, so instead of
 * relying on one, each build first removes the bundles of test processes that
 * no longer run.
 */
export function productionBundleDir(): string {
  if (serverFile && existsSync(serverFile)) return join(serverFile, '..');
  for (const name of readdirSync(tmpdir())) {
    const pid = Number(name.slice(BUNDLE_PREFIX.length));
    if (name.startsWith(BUNDLE_PREFIX) && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) {
      rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  }
  const dir = join(tmpdir(), `${BUNDLE_PREFIX}${process.pid}`);
  mkdirSync(dir, { recursive: true });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  serverFile = buildApiBundle(dir);
  return dir;
}
