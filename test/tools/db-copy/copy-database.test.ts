import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { copyDatabase } from '../../../tools/db-copy/copy-database';
import { createProgress } from '../../../tools/lib/progress';
import { seedSource } from './seed';

const silent = createProgress({ silent: true });
let sourceServer: TestPostgres;
let targetServer: TestPostgres;

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function count(url: string, table: string): Promise<number> {
  return Number((await query<{ n: string }>(url, `SELECT count(*) AS n FROM ${table}`))[0].n);
}

beforeAll(async () => {
  // Two separate PostgreSQL servers, like the instance's PostgreSQL and RDS.
  [sourceServer, targetServer] = await Promise.all([startPostgres(), startPostgres()]);
  await seedSource(sourceServer.url);
}, 120_000);

afterAll(async () => {
  await Promise.all([sourceServer?.stop(), targetServer?.stop()]);
});

describe('db-copy between two PostgreSQL servers', () => {
  test('copies schema and rows, and every table verifies (row counts and checksums)', async () => {
    const target = await targetServer.createDatabase();
    const result = await copyDatabase({ sourceUrl: sourceServer.url, targetUrl: target, batchSize: 500, progress: silent });
    expect(result.ok).toBe(true);
    expect(result.tables.map((t) => t.table)).toEqual(
      expect.arrayContaining(['public.users', 'public.photos', 'public.following', 'public.followers', 'public.likes', 'public.audit_log', 'public.keyless_events', 'public.schema_migrations']),
    );
    for (const check of result.tables) expect(check.targetRows).toBe(check.sourceRows);
    expect(await count(target, 'users')).toBe(2000);
    expect(await count(target, 'photos')).toBe(6000);

    // Generated columns are recomputed, identity and serial sequences carry on, the API's ID function works.
    const [shards] = await query<{ bad: string }>(target, 'SELECT count(*) AS bad FROM users WHERE shard <> ((id >> 10) & 4095)');
    expect(Number(shards.bad)).toBe(0);
    const [next] = await query<{ id: string }>(target, "INSERT INTO audit_log (mood) VALUES ('happy') RETURNING id");
    expect(Number(next.id)).toBe(2001);
    const [counter] = await query<{ id: number }>(target, "INSERT INTO counters (name) VALUES ('new') RETURNING id");
    expect(counter.id).toBe(51);
    const [id] = await query<{ id: string }>(target, 'SELECT graminsta_next_id(7) AS id');
    expect((BigInt(id.id) >> 10n) & 4095n).toBe(7n);

    // Foreign keys, views and triggers come after the rows.
    await expect(query(target, 'INSERT INTO audit_log (user_id) VALUES (42)')).rejects.toThrow(/foreign key/);
    expect(await count(target, 'ready_photos')).toBe(6000);
    const [touched] = await query<{ hits: number }>(target, "UPDATE counters SET hits = 10 WHERE name = 'counter 1' RETURNING hits");
    expect(touched.hits).toBe(11);
  });

  test('a re-run after an interruption mid-table neither loses nor duplicates rows', async () => {
    const target = await targetServer.createDatabase();
    let batches = 0;
    const crash = (item: string) => {
      // Crash while the 4th batch of photos is written but not committed.
      if (item === 'table:public.photos' && ++batches === 4) throw new Error('simulated crash');
    };
    await expect(copyDatabase({ sourceUrl: sourceServer.url, targetUrl: target, batchSize: 500, progress: silent, beforeCommit: crash })).rejects.toThrow(
      'simulated crash',
    );
    expect(await count(target, 'photos')).toBe(1500);
    const [state] = await query<{ rows_copied: string; done: boolean }>(target, "SELECT rows_copied, done FROM db_copy.progress WHERE item = 'table:public.photos'");
    expect(state).toEqual({ rows_copied: '1500', done: false });

    const resumed = await copyDatabase({ sourceUrl: sourceServer.url, targetUrl: target, batchSize: 500, progress: silent });
    expect(resumed.ok).toBe(true);
    expect(await count(target, 'photos')).toBe(6000);
    // Only the missing rows were copied the second time (users were done before the crash).
    expect(resumed.tables.find((t) => t.table === 'public.photos')!.targetRows).toBe(6000);
    const [copied] = await query<{ rows_copied: string }>(target, "SELECT rows_copied FROM db_copy.progress WHERE item = 'table:public.photos'");
    expect(copied.rows_copied).toBe('6000');
  });

  test('a copy killed by a signal resumes when the command is run again', async () => {
    const target = await targetServer.createDatabase();
    const cli = join(__dirname, '../../../tools/db-copy/cli.ts');
    const tsx = join(__dirname, '../../../node_modules/.bin/tsx');
    const env = { ...process.env, SOURCE_DATABASE_URL: sourceServer.url, TARGET_DATABASE_URL: target };
    // Kill the process as soon as the photos table has committed rows.
    const first = spawn(tsx, [cli, '--batch-size', '100'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const killed = new Promise<void>((resolve) => {
      first.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/public\.photos: [1-9]\d*\/6000/.test(output) && first.exitCode === null) first.kill('SIGKILL');
      });
      first.on('exit', () => resolve());
    });
    await killed;
    expect(first.signalCode).toBe('SIGKILL');
    const partial = await count(target, 'photos');
    expect(partial).toBeLessThan(6000);

    const second = spawn(tsx, [cli, '--batch-size', '100'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    second.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(log).toMatch(/tables verified \(row counts and checksums equal\)/);
    expect(log).not.toContain(sourceServer.url);
    expect(code).toBe(0);
    expect(await count(target, 'photos')).toBe(6000);
  });

  test('refuses a target that holds tables it did not create, and changes nothing', async () => {
    const target = await targetServer.createDatabase();
    await query(target, 'CREATE TABLE precious (id int PRIMARY KEY); INSERT INTO precious VALUES (1)');
    await expect(copyDatabase({ sourceUrl: sourceServer.url, targetUrl: target, progress: silent })).rejects.toThrow(
      /the target already has tables \(public\.precious\) that no db-copy run created/,
    );
    const [state] = await query<{ found: boolean }>(target, "SELECT to_regclass('db_copy.progress') IS NOT NULL AS found");
    expect(state.found).toBe(false);
    expect(await count(target, 'precious')).toBe(1);
  });

  test('verification reports a table whose rows differ', async () => {
    const target = await targetServer.createDatabase();
    expect((await copyDatabase({ sourceUrl: sourceServer.url, targetUrl: target, progress: silent })).ok).toBe(true);
    await query(target, "UPDATE photos SET caption = 'changed' WHERE id = (SELECT min(id) FROM photos)");
    const result = await copyDatabase({ sourceUrl: sourceServer.url, targetUrl: target, progress: silent, verifyOnly: true });
    expect(result.ok).toBe(false);
    expect(result.tables.filter((t) => !t.ok).map((t) => t.table)).toEqual(['public.photos']);
  });
});
