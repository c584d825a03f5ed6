import { buildSync } from 'esbuild';
import { join } from 'node:path';

export const BASELINES = ['http-baseline', 'pg-baseline', 'redis-baseline'] as const;
export type BaselineName = (typeof BASELINES)[number];

/**
 * Bundles each baseline server like the API bundle (one minified CommonJS
 * file, node20), so baselines and API run as plain `node` processes on equal
 * footing. Returns the path of each bundle.
 */
export function bundleBaselines(outDir: string): Record<BaselineName, string> {
  const out = {} as Record<BaselineName, string>;
  for (const name of BASELINES) {
    const outfile = join(outDir, `${name}.js`);
    buildSync({
      entryPoints: [join(__dirname, `${name}.ts`)],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      minify: true,
      logLevel: 'warning',
    });
    out[name] = outfile;
  }
  return out;
}
