import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, expectError } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';

describe('serving the web client (WEB_ROOT)', () => {
  let pg: TestPostgres;
  let api: TestApp;
  let root: string;
  beforeAll(async () => {
    pg = await startPostgres();
    const parent = mkdtempSync(join(tmpdir(), 'graminsta-web-'));
    root = join(parent, 'web');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Graminsta</title>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, '.env'), 'SECRET=1');
    writeFileSync(join(parent, 'outside.txt'), 'not public');
    api = await startTestApp({ DATABASE_URL: pg.url, WEB_ROOT: root });
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
    rmSync(join(root, '..'), { recursive: true, force: true });
  });

  test('serves index.html at / and for client-side routes, assets with their type', async () => {
    const index = await fetch(`${api.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('Graminsta');
    expect(await (await fetch(`${api.url}/users/123`)).text()).toContain('Graminsta');
    const js = await fetch(`${api.url}/assets/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // Hashed assets never change, so browsers may keep them for a year.
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  test('refuses dotfiles, paths outside the root and missing assets; unknown /api routes stay JSON 404s', async () => {
    expectError(await call(api.url, 'GET', '/.env'), 404);
    expectError(await call(api.url, 'GET', '/..%2foutside.txt'), 404);
    expectError(await call(api.url, 'GET', '/%2e%2e/outside.txt'), 404);
    expectError(await call(api.url, 'GET', '/assets/missing.js'), 404);
    expectError(await call(api.url, 'GET', '/%E0%A4%A'), 400, 'bad_url');
    expectError(await call(api.url, 'GET', '/api/nope'), 404, 'not_found');
    expect((await call(api.url, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
  });
});
