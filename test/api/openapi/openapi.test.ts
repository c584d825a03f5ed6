import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { spawnSync } from 'node:child_process';
import { documentText } from '../../../api/src/openapi/document';
import { DOCUMENT_FILE } from '../../../api/src/openapi/cli';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, newUser } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';

const ROOT = join(__dirname, '..', '..', '..');

type Operation = { security?: Record<string, string[]>[]; responses: Record<string, unknown> };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

/**
 * The published contract: the OpenAPI 3.1 document the API generates from its
 * route schemas and serves at /api/openapi.json, its copy in docs/ and the
 * web client's types generated from it, all kept equal here; and the
 * document checked against what the routes do.
 */
describe('the OpenAPI document', () => {
  let pg: TestPostgres;
  let api: TestApp;
  let served: Document;
  beforeAll(async () => {
    pg = await startPostgres();
    api = await startTestApp({ DATABASE_URL: pg.url });
    const response = await call(api.url, 'GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    served = response.body;
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  test('is served at /api/openapi.json and is what docs/openapi.json holds (npm run openapi rewrites it)', () => {
    expect(documentText(served)).toBe(readFileSync(DOCUMENT_FILE, 'utf8'));
  });

  test("web/src/api/openapi.ts, the web client's types, is generated from it: npm run openapi -- --check", () => {
    // A child process: openapi-typescript's dependencies are ES modules, which tsx loads and Jest does not.
    const check = spawnSync('npm', ['run', '-s', 'openapi', '--', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect({ status: check.status, stderr: check.stderr.trim() }).toEqual({ status: 0, stderr: 'openapi: docs/openapi.json and web/src/api/openapi.ts are up to date' });
  }, 120_000);

  test('is a valid OpenAPI 3.1 document (Redocly\'s structural rules)', async () => {
    expect(served.openapi).toBe('3.1.0');
    const problems = await lintFromString({
      source: JSON.stringify(served),
      absoluteRef: DOCUMENT_FILE,
      config: await createConfig({ extends: ['minimal'] }),
    });
    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
  });

  test('has every route of the contract, the health checks and nothing of the static web client', () => {
    const operations = Object.entries(served.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'POST /api/users',
        'GET /api/users',
        'GET /api/users/{id}',
        'GET /api/users/{id}/photos',
        'PUT /api/users/{id}/follow',
        'DELETE /api/users/{id}/follow',
        'POST /api/sessions',
        'DELETE /api/sessions',
        'POST /api/photos',
        'GET /api/photos/{id}',
        'DELETE /api/photos/{id}',
        'GET /api/photos/{id}/content',
        'PUT /api/photos/{id}/content',
        'PUT /api/photos/{id}/like',
        'DELETE /api/photos/{id}/like',
        'GET /api/feed',
      ].sort(),
    );
  });

  test('says which routes need a token: exactly those answer 401 without one', async () => {
    const user = await newUser(api.url, 'oa');
    const photo = (await call(api.url, 'POST', '/api/photos', { token: user.token, body: { caption: '', contentType: 'image/png', size: 1 } })).body.photo.id;
    const mismatches: string[] = [];
    for (const [path, methods] of Object.entries(served.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const required = (operation.security ?? []).length > 0 && !(operation.security ?? []).some((s) => Object.keys(s).length === 0);
        const url = path.replace('{id}', path.startsWith('/api/photos') ? photo : user.id) + (path === '/api/users' && method === 'get' ? '?prefix=oa' : '');
        const response = await call(api.url, method.toUpperCase(), url, method === 'post' || method === 'put' ? { body: {} } : {});
        if ((response.status === 401) !== required) mismatches.push(`${method.toUpperCase()} ${path}: ${response.status} without a token, documented ${required ? 'authenticated' : 'public'}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('documents the viewer state, the user search and the error shape', () => {
    const json = (path: string, method: string, status: string) =>
      (served.paths[path][method].responses[status] as { content: { 'application/json': { schema: { properties: Record<string, unknown> } } } }).content['application/json'].schema;
    expect(json('/api/photos/{id}', 'get', '200').properties).toHaveProperty('likedByMe');
    expect(json('/api/users/{id}', 'get', '200').properties).toHaveProperty('followedByMe');
    expect(json('/api/users', 'get', '200').properties).toHaveProperty('items');
    expect(json('/api/feed', 'get', '4XX').properties).toHaveProperty('error');
  });

  test("the project's docs and the web client point at it, never at a contract file outside the repository", () => {
    for (const file of ['README.md', 'docs/api.md', 'docs/web.md', 'web/src/api/types.ts']) {
      expect([file, readFileSync(join(ROOT, file), 'utf8').match(/shared\/api-contract\.md|\/work\/shared/g) ?? []]).toEqual([file, []]);
    }
    expect(readFileSync(join(ROOT, 'docs/api.md'), 'utf8')).toContain('openapi.json');
  });
});
