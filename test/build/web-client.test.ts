import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWebClient } from '../../build/web-client';

/** The hard budget for JavaScript shipped with the first page (gzipped). */
const FIRST_PAGE_JS_BUDGET = 60 * 1024;

function referencedAssets(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((ref) => !ref.startsWith('data:'));
}

describe('buildWebClient', () => {
  let outDir: string;
  let html: string;

  beforeAll(() => {
    outDir = mkdtempSync(join(tmpdir(), 'graminsta-web-'));
    // A stale file from an earlier build in the same directory must not ship.
    mkdirSync(join(outDir, 'assets'));
    writeFileSync(join(outDir, 'assets', 'main-STALE.js'), 'old');
    buildWebClient(outDir);
    html = readFileSync(join(outDir, 'index.html'), 'utf8');
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  test('writes index.html and only content-hashed files under assets/', () => {
    expect(readdirSync(outDir).sort()).toEqual(['assets', 'index.html']);
    const assets = readdirSync(join(outDir, 'assets'));
    expect(assets.some((f) => f.endsWith('.js'))).toBe(true);
    expect(assets.some((f) => f.endsWith('.css'))).toBe(true);
    for (const file of assets) expect(file).toMatch(/^[a-z0-9-]+-[A-Z0-9]{8}\.(js|css)$/);
    expect(assets).not.toContain('main-STALE.js');
  });

  test('index.html references only hashed same-origin assets that exist', () => {
    const refs = referencedAssets(html);
    expect(refs.length).toBeGreaterThanOrEqual(2);
    const assets = readdirSync(join(outDir, 'assets'));
    for (const ref of refs) {
      expect(ref).toMatch(/^\/assets\/[a-z0-9-]+-[A-Z0-9]{8}\.(js|css)$/);
      expect(assets).toContain(ref.replace('/assets/', ''));
    }
  });

  test('index.html is an accessible document shell (lang, viewport, title)', () => {
    expect(html).toMatch(/<html lang="en">/);
    expect(html).toContain('name="viewport"');
    expect(html).toMatch(/<title>Graminsta<\/title>/);
  });

  test('the client never hard-codes an API host: calls go to same-origin /api', () => {
    const js = referencedAssets(html)
      .filter((ref) => ref.endsWith('.js'))
      .map((ref) => readFileSync(join(outDir, ref), 'utf8'))
      .join('\n');
    expect(js).toContain('"/api"');
    expect(js).not.toMatch(/https?:\/\/(localhost|127\.0\.0\.1)/);
  });

  test(`first page ships under ${FIRST_PAGE_JS_BUDGET / 1024} KB of gzipped JavaScript`, () => {
    const gzipped = referencedAssets(html)
      .filter((ref) => ref.endsWith('.js'))
      .reduce((sum, ref) => sum + gzipSync(readFileSync(join(outDir, ref)), { level: 9 }).length, 0);
    // eslint-disable-next-line no-console
    console.log(`web client first-page JavaScript: ${(gzipped / 1024).toFixed(1)} KB gzipped`);
    expect(gzipped).toBeGreaterThan(0);
    expect(gzipped).toBeLessThan(FIRST_PAGE_JS_BUDGET);
  });
});
