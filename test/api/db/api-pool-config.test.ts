import { Client, types } from 'pg';
import { apiPoolConfig, API_SESSION_OPTIONS } from '../../../api/src/db/api-pool-config';
import { DatabaseNode } from '../../../api/src/db/database-node';
import { startPostgres, type TestPostgres } from '../../support/postgres';

/**
 * The API's pools (DatabaseNode) get `timestamptz` columns as the ISO strings
 * the API returns, in a UTC session whatever the database's own default
 * zone, while every other pg client in the process keeps pg's Dates (issue 18).
 */
jest.setTimeout(60_000);

describe("the API's pools: timestamptz as ISO strings, UTC sessions", () => {
  let pg: TestPostgres;
  let node: DatabaseNode;
  let plain: Client;

  beforeAll(async () => {
    pg = await startPostgres();
    plain = new Client({ connectionString: pg.url });
    await plain.connect();
    // A database whose sessions default to another zone: the API's must still be UTC.
    await plain.query(`ALTER DATABASE "${new URL(pg.url).pathname.slice(1)}" SET TimeZone = 'Asia/Kolkata'`);
    await plain.end();
    plain = new Client({ connectionString: pg.url });
    await plain.connect();
    await plain.query('CREATE TABLE stamps (id int PRIMARY KEY, at timestamptz NOT NULL, ats timestamptz[])');
    await plain.query(`INSERT INTO stamps (id, at) SELECT i, now() - i * interval '1 day 1.234567 second' FROM generate_series(1, 20) AS i`);
    node = new DatabaseNode(0, { name: 'primary-0', primary: { connectionString: pg.url }, replicas: [], shards: [[0, 4095]] }, 2);
  });
  afterAll(async () => {
    await node?.close();
    await plain?.end();
    await pg?.stop();
  });

  test("the API's sessions are UTC with ISO dates although the database defaults to Asia/Kolkata; other clients' are not changed", async () => {
    expect((await plain.query<{ zone: string }>('SELECT current_setting($1) AS zone', ['TimeZone'])).rows[0].zone).toBe('Asia/Kolkata');
    expect((await node.read<{ zone: string }>('SELECT current_setting($1) AS zone', ['TimeZone'])).rows[0].zone).toBe('UTC');
    expect((await node.query<{ style: string }>('SELECT current_setting($1) AS style', ['DateStyle'])).rows[0].style).toMatch(/^ISO,/);
    // The primary's transactions (checked-out clients) too.
    expect(await node.transaction(async (client) => (await client.query<{ zone: string }>("SELECT current_setting('TimeZone') AS zone")).rows[0].zone)).toBe('UTC');
  });

  test("timestamptz arrives as the ISO string pg's Date path gives; pg's global parsers and other clients still give Dates", async () => {
    const viaDate = (await plain.query<{ id: number; at: Date }>('SELECT id, at FROM stamps ORDER BY id')).rows;
    expect(viaDate[0].at).toBeInstanceOf(Date);
    const expected = viaDate.map((row) => ({ id: row.id, at: row.at.toISOString() }));
    expect((await node.read<{ id: number; at: string }>('SELECT id, at FROM stamps ORDER BY id')).rows).toEqual(expected);
    expect((await node.read<{ id: number; at: string }>('SELECT id, at FROM stamps WHERE id > $1 ORDER BY id', [0])).rows).toEqual(expected);
    expect(await node.transaction(async (client) => (await client.query<{ id: number; at: string }>('SELECT id, at FROM stamps ORDER BY id')).rows)).toEqual(expected);
    expect(types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text')('2026-12-05 11:28:39.123456+00')).toBeInstanceOf(Date);
  });

  test("the session settings come after the connection's own options, or PGOPTIONS when it has none (pg's fallback), never replacing them", () => {
    const sizes = { max: 2, connectionTimeoutMillis: 3_000, idleTimeoutMillis: 30_000 };
    expect(apiPoolConfig({ connectionString: pg.url }, sizes)).toMatchObject({ connectionString: pg.url, ...sizes, options: API_SESSION_OPTIONS });
    expect(apiPoolConfig({ options: '-c statement_timeout=5s' }, sizes).options).toBe(`-c statement_timeout=5s ${API_SESSION_OPTIONS}`);
    const before = process.env.PGOPTIONS;
    process.env.PGOPTIONS = '-c work_mem=8MB';
    try {
      expect(apiPoolConfig({}, sizes).options).toBe(`-c work_mem=8MB ${API_SESSION_OPTIONS}`);
      expect(apiPoolConfig({ options: '-c statement_timeout=5s' }, sizes).options).toBe(`-c statement_timeout=5s ${API_SESSION_OPTIONS}`);
    } finally {
      if (before === undefined) delete process.env.PGOPTIONS;
      else process.env.PGOPTIONS = before;
    }
  });

  test('an ISO string read back goes into timestamptz and timestamptz[] parameters as the same instant (as feed-writer.ts passes created_at)', async () => {
    const { rows } = await node.read<{ at: string }>('SELECT at FROM stamps WHERE id = $1', [1]);
    await node.query('UPDATE stamps SET at = $2, ats = $3::timestamptz[] WHERE id = $1', [2, rows[0].at, [rows[0].at, rows[0].at]]);
    const back = await node.read<{ same: boolean; arrayed: boolean }>(
      `SELECT s2.at = date_trunc('milliseconds', s1.at) AS same, s2.ats = ARRAY[s2.at, s2.at] AS arrayed FROM stamps s1, stamps s2 WHERE s1.id = 1 AND s2.id = 2`,
    );
    expect(back.rows).toEqual([{ same: true, arrayed: true }]);
  });
});
