import { buildSync } from 'esbuild';
import { join } from 'node:path';

/**
 * Bundles the resharding tool into one CommonJS file, `reshard.js`, that runs
 * with plain `node` on a fleet instance (it reaches every primary through the
 * database security group). Returns its path.
 */
export function buildReshardBundle(outDir: string): string {
  const outfile = join(outDir, 'reshard.js');
  buildSync({
    entryPoints: [join(__dirname, '..', 'tools', 'reshard', 'cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    // pg-native: an optional addon pg never loads here. The AWS SDK is bundled (SHARD_MAP_PARAMETER, secrets).
    external: ['pg-native'],
    logLevel: 'warning',
  });
  return outfile;
}
