import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAGE_ONE_RECORD_FILE } from '../../../contracts/stage-one-copy';
import { STAGE_ONE_RECORD_QUERY } from '../../../lib/constructs/compute/private/service-files';
import { copyDatabase } from '../../../tools/db-copy/copy-database';
import { createProgress } from '../../../tools/lib/progress';
import { startApi, type RunningApi } from '../../support/api-server';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { sql } from '../../support/postgres-servers';
import { call, expectError, newUser } from '../support/http';

/**
 * Issue 20, item 4: if the App stack of stage 10 is deployed before db-copy
 * ran, the API must not migrate the empty RDS and take writes there (two
 * diverging databases). The instance's stop script records the stage-1
 * database's row counts (its real query is used here); db-copy records what
 * it verified in the target; the API compares them before anything else.
 */
describe('the API at stage 10 refuses an RDS the stage-1 database was never copied into', () => {
  let stageOne: TestPostgres; // the instance's PostgreSQL
  let rds: TestPostgres;
  let dataDir: string;
  const apis: RunningApi[] = [];
  beforeAll(async () => {
    [stageOne, rds] = await Promise.all([startPostgres(), startPostgres()]);
    dataDir = mkdtempSync(join(tmpdir(), 'graminsta-stage-one-'));
  });
  afterAll(async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await Promise.all([stageOne?.stop(), rds?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** What the stop script writes when the instance leaves stage 1. */
  const recordStageOne = (databaseUrl: string) =>
    writeFileSync(join(dataDir, STAGE_ONE_RECORD_FILE), execFileSync('psql', [databaseUrl, '-XtA', '-v', 'ON_ERROR_STOP=1', '-c', STAGE_ONE_RECORD_QUERY]));
  /** What the stage-1 setup script does when the local database serves again (a rollback). */
  const forgetStageOne = () => rmSync(join(dataDir, STAGE_ONE_RECORD_FILE), { force: true });
  const start = async (databaseUrl: string) => {
    const api = await startApi({ databaseUrl, dataDir });
    apis.push(api);
    return api;
  };
  const tablesIn = async (url: string) => (await sql<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`))[0].n;

  test('no copy: /readyz says why, requests get 503, the empty database is not migrated; after the copy it serves the stage-1 data', async () => {
    // Stage 1: an API on the local database with a user.
    const local = await start(stageOne.url);
    const user = await newUser(local.url);
    await local.stop();
    recordStageOne(stageOne.url);

    // Stage 10 deployed before the copy.
    const target = await rds.createDatabase();
    const api = await start(target);
    expect((await call(api.url, 'GET', '/healthz')).status).toBe(200);
    const ready = await call(api.url, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('refusing');
    expect(ready.body.reason).toMatch(/stage-1 database on this instance holds rows that were never copied into .*public\.users 1.*docs\/runbooks\/1-to-10\.md/);
    expectError(await call(api.url, 'POST', '/api/users', { body: { username: 'newcomer', password: 'correct horse battery' } }), 503, 'not_ready');
    expectError(await call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: 'correct horse battery' } }), 503, 'not_ready');
    expect(await tablesIn(target)).toBe(0);

    // The copy, then (within the API's 10 s re-check) the stage-1 user logs in on RDS.
    const result = await copyDatabase({ sourceUrl: stageOne.url, targetUrl: target, progress: createProgress({ silent: true }) });
    expect(result.ok).toBe(true);
    let status = 0;
    for (let i = 0; i < 150 && status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The refusing listener closes just before the API's own opens: a refused connection in between.
      status = await call(api.url, 'GET', '/readyz').then((r) => r.status, () => 0);
    }
    expect(status).toBe(200);
    expect((await call(api.url, 'POST', '/api/sessions', { body: { username: user.username, password: 'correct horse battery' } })).status).toBe(201);
  }, 60_000);

  test('rows written to the stage-1 database after the copy: refused again, naming the tables that differ', async () => {
    forgetStageOne();
    const source = await stageOne.createDatabase();
    const local = await start(source);
    await newUser(local.url);
    await local.stop();
    const target = await rds.createDatabase();
    expect((await copyDatabase({ sourceUrl: source, targetUrl: target, progress: createProgress({ silent: true }) })).ok).toBe(true);
    // The API went back onto the local database (a rollback before the switch) and took a write.
    forgetStageOne();
    const again = await start(source);
    await newUser(again.url);
    await again.stop();
    recordStageOne(source);

    const api = await start(target);
    const ready = await call(api.url, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/changed after it was copied .*public\.users 2 \(copied: 1\).*Copying again/);
  }, 60_000);

  test('an instance that never held stage-1 data (no record) starts at once', async () => {
    forgetStageOne();
    const api = await start(await rds.createDatabase());
    expect((await call(api.url, 'GET', '/readyz')).status).toBe(200);
  });
});
