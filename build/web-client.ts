import { buildSync } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Renders index.html: the only unhashed file, so it references hashed assets only. */
function indexHtml(script: string, styles: readonly string[]): string {
  const links = styles.map((href) => `<link rel="stylesheet" href="/assets/${href}">`).join('');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    '<meta name="description" content="Graminsta: share photos with the people you follow.">' +
    '<meta name="theme-color" content="#0b57d0">' +
    // An empty icon: browsers otherwise request /favicon.ico, which nothing serves.
    '<link rel="icon" href="data:,">' +
    `<title>Graminsta</title>${links}` +
    `<script type="module" src="/assets/${script}"></script></head>` +
    '<body><div id="app"></div><noscript>Graminsta needs JavaScript.</noscript></body></html>\n'
  );
}

/**
 * Builds the web client into static files in `outDir`: `index.html` plus
 * content-hashed files under `assets/` (cached for a year by CloudFront; the
 * index is served with no-cache). Synchronous because CDK's local asset
 * bundling is.
 */
export function buildWebClient(outDir: string): void {
  const assets = join(outDir, 'assets');
  // Stale hashed files from an earlier build must not ship.
  rmSync(assets, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const result = buildSync({
    entryPoints: [join(__dirname, '..', 'web', 'src', 'main.tsx')],
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile!.outputs);
  const script = outputs.find((file) => file.endsWith('.js'));
  if (!script) throw new Error(`web build produced no JavaScript (outputs: ${outputs.join(', ')})`);
  const styles = outputs.filter((file) => file.endsWith('.css')).map((file) => basename(file));
  writeFileSync(join(outDir, 'index.html'), indexHtml(basename(script), styles));
}
