/**
 * `npm run audit:web`: Lighthouse 12 (pinned; 13 needs Node 22) against a
 * fresh build of the web client served by the real API on a real embedded
 * PostgreSQL, in Debian's chromium. Seeds two users and a photo so the pages
 * have content, audits the sign-in page and (signed in) the feed, and prints
 * the performance, accessibility and best-practices scores.
 *
 * Options: see USAGE (`npm run audit:web -- --help`).
 *
 * Not part of `npm test`: Lighthouse scores are measurements, not assertions.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { parseCliArgs, runCli } from '../../contracts/cli';
import { buildWebClient } from '../../build/web-client';
import { startApi, type RunningApi } from '../support/api-server';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from './support/chromium';
import { makeTestPng } from './support/test-image';

const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
const TARGET = 95;

interface Options {
  readonly desktop: boolean;
  readonly strict: boolean;
  readonly out?: string;
}

const USAGE = `usage: npm run audit:web [-- --desktop] [--strict] [--out <dir>]
Builds the web client, serves it from the API on embedded PostgreSQL with seeded content, and runs Lighthouse
(Debian chromium) on the sign-in page and the signed-in feed; prints the performance, accessibility and
best-practices scores and the first-page JavaScript size.
  --desktop      Lighthouse's desktop preset (default: mobile emulation, simulated slow 4G, 4x CPU slowdown)
  --strict       exit 1 when any score is under ${TARGET}
  --out <dir>    also write the JSON reports there
exit codes: 0 audited, 1 failed (or a score under ${TARGET} with --strict), 2 bad arguments`;

function step(message: string): void {
  console.log(`[audit:web] ${message}`);
}

async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<unknown> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${await response.text()}`);
  return response.status === 204 ? undefined : response.json();
}

/** Two users; the poster uploads a photo, the viewer follows the poster. Returns the viewer's session. */
async function seed(base: string): Promise<{ token: string; userId: string }> {
  const password = 'audit password 1';
  const session = async (username: string) => {
    await call(base, 'POST', '/api/users', { username, password });
    return (await call(base, 'POST', '/api/sessions', { username, password })) as { token: string; userId: string };
  };
  const poster = await session('harbour_photos');
  const viewer = await session('audit_viewer');
  const image = await makeTestPng(600);
  const created = (await call(base, 'POST', '/api/photos', { caption: 'Morning light over the harbour', contentType: 'image/png', size: image.length }, poster.token)) as {
    upload: { method: string; url: string; headers?: Record<string, string> };
  };
  const target = new URL(created.upload.url, base);
  const put = await fetch(target, {
    method: created.upload.method,
    headers: { ...(created.upload.headers ?? { 'content-type': 'image/png' }), authorization: `Bearer ${poster.token}` },
    body: new Uint8Array(image),
  });
  if (!put.ok) throw new Error(`upload → ${put.status} ${await put.text()}`);
  await call(base, 'PUT', `/api/users/${poster.userId}/follow`, undefined, viewer.token);
  return viewer;
}

/** Gzipped size of the JavaScript index.html loads (the first page's whole JS). */
function firstPageJsGzip(webRoot: string): number {
  const html = readFileSync(join(webRoot, 'index.html'), 'utf8');
  return [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].reduce(
    (sum, m) => sum + gzipSync(readFileSync(join(webRoot, m[1])), { level: 9 }).length,
    0,
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv, { desktop: { type: 'boolean', default: false }, strict: { type: 'boolean', default: false }, out: { type: 'string' } }, USAGE);
  if (!args) return 0;
  const options: Options = { desktop: args.desktop === true, strict: args.strict === true, out: args.out };
  if (!chromiumAvailable()) throw new Error(`no chromium at ${CHROMIUM_PATH}: apt-get install chromium (never a downloaded browser)`);
  // ESM-only packages: loaded dynamically from this CommonJS script.
  const { default: lighthouse } = await import('lighthouse');
  const chromeLauncher = await import('chrome-launcher');

  const work = mkdtempSync(join(tmpdir(), 'graminsta-audit-web-'));
  let postgres: TestPostgres | undefined;
  let api: RunningApi | undefined;
  let chrome: Awaited<ReturnType<typeof chromeLauncher.launch>> | undefined;
  const failures: string[] = [];
  try {
    step('building the web client');
    const webRoot = join(work, 'web');
    buildWebClient(webRoot);
    const jsGzip = firstPageJsGzip(webRoot);
    step('starting embedded PostgreSQL');
    postgres = await startPostgres();
    step('starting the API (production bundle) serving the client');
    api = await startApi({ databaseUrl: postgres.url, webRoot, dataDir: join(work, 'data') });
    step('seeding two users, a photo and a follow');
    const viewer = await seed(api.url);

    step(`launching ${CHROMIUM_PATH}`);
    const profile = join(work, 'chrome-profile');
    mkdirSync(profile);
    chrome = await chromeLauncher.launch({
      chromePath: CHROMIUM_PATH,
      chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
      userDataDir: profile,
    });

    const pages = [
      { name: 'sign-in', url: `${api.url}/#/sign-in`, signedIn: false },
      { name: 'feed', url: `${api.url}/#/feed`, signedIn: true },
    ];
    const results: Record<string, Record<string, number>> = {};
    for (const page of pages) {
      // Lighthouse keeps storage when told to, so the feed run starts signed in.
      const browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
      const tab = await browser.contexts()[0].newPage();
      await tab.goto(api.url);
      await tab.evaluate((value) => (value ? localStorage.setItem('graminsta.session', value) : localStorage.clear()), page.signedIn ? JSON.stringify(viewer) : '');
      await tab.close();
      await browser.close();

      step(`Lighthouse ${options.desktop ? 'desktop' : 'mobile'}: ${page.name} (${page.url})`);
      const flags = { port: chrome.port, output: 'json' as const, logLevel: 'error' as const, onlyCategories: [...CATEGORIES], disableStorageReset: true };
      const config = options.desktop ? (await import('lighthouse/core/config/desktop-config.js')).default : undefined;
      const run = await lighthouse(page.url, flags, config);
      if (!run) throw new Error(`Lighthouse returned nothing for ${page.url}`);
      if (run.lhr.runtimeError) throw new Error(`Lighthouse: ${run.lhr.runtimeError.code} ${run.lhr.runtimeError.message}`);
      results[page.name] = {};
      for (const category of CATEGORIES) {
        const score = Math.round((run.lhr.categories[category]?.score ?? 0) * 100);
        results[page.name][category] = score;
        if (score < TARGET) {
          const weak = Object.values(run.lhr.audits)
            .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative' && a.scoreDisplayMode !== 'notApplicable')
            .map((a) => `${a.id} (${a.displayValue ?? a.score})`);
          failures.push(`${page.name} ${category} ${score} < ${TARGET}; audits not passing: ${weak.slice(0, 12).join(', ')}`);
        }
      }
      if (options.out) {
        mkdirSync(options.out, { recursive: true });
        writeFileSync(join(options.out, `lighthouse-${page.name}.json`), JSON.stringify(run.lhr, null, 2));
      }
    }

    console.log(`\nLighthouse ${runLabel(options)} scores (target ${TARGET}+):`);
    console.table(results);
    console.log(`first-page JavaScript: ${(jsGzip / 1024).toFixed(1)} KB gzipped (budget 60 KB, aim 30 KB)`);
    for (const failure of failures) console.log(`below target: ${failure}`);
  } finally {
    await chrome?.kill();
    await api?.stop();
    await postgres?.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return options.strict && failures.length ? 1 : 0;
}

function runLabel(options: Options): string {
  return options.desktop ? 'desktop' : 'mobile (simulated slow 4G, 4x CPU)';
}

if (require.main === module) runCli('audit:web', () => main(process.argv.slice(2)));
