import { buildSync } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Builds the web client into static files in `outDir`: `index.html` plus
 * hashed assets. Synchronous because CDK's local asset bundling is.
 */
export function buildWebClient(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  const result = buildSync({
    entryPoints: [join(__dirname, 'src', 'main.ts')],
    outdir: join(outDir, 'assets'),
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    metafile: true,
    logLevel: 'warning',
  });
  const script = Object.keys(result.metafile!.outputs).find((f) => f.endsWith('.js'))!;
  const name = script.split('/').pop();
  writeFileSync(
    join(outDir, 'index.html'),
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Graminsta</title></head><body><main id="app"></main><script type="module" src="/assets/${name}"></script></body></html>\n`,
  );
}
