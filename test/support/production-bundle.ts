import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApiBundle } from '../../build/api-bundle';
import { removeStaleTempDirs } from '../../lib/stale-temp-dirs';

const BUNDLE_PREFIX = 'graminsta-api-bundle-';
let serverFile: string | undefined;

/**
 * The production bundle as shipped (dist/api: `server.js` and `worker.js`),
 * built once per test process into `<tmp>/graminsta-api-bundle-<pid>`; returns
 * its directory. Jest workers can end without an 'exit' event, so instead of
 * relying on one, each build first removes the bundles of test processes that
 * no longer run.
 */
export function productionBundleDir(): string {
  if (serverFile && existsSync(serverFile)) return join(serverFile, '..');
  removeStaleTempDirs(BUNDLE_PREFIX);
  const dir = join(tmpdir(), `${BUNDLE_PREFIX}${process.pid}`);
  mkdirSync(dir, { recursive: true });
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  serverFile = buildApiBundle(dir);
  return dir;
}
