import { DatabaseNode, MAX_PREPARED_STATEMENTS } from '../../../api/src/db/database-node';
import { startPostgres, type TestPostgres } from '../../support/postgres';

/**
 * The API's queries with parameters run as prepared statements (parsed once
 * per connection, planned generically once PostgreSQL finds that as good):
 * seen from the server's side, in its session's pg_prepared_statements. One
 * pooled connection, so every query here runs in the same session.
 */
jest.setTimeout(60_000);

describe('prepared statements (DatabaseNode)', () => {
  let pg: TestPostgres;
  let node: DatabaseNode;

  beforeAll(async () => {
    pg = await startPostgres();
    node = new DatabaseNode(0, { name: 'primary-0', primary: { connectionString: pg.url }, replicas: [], shards: [[0, 4095]] }, 1);
  });
  afterAll(async () => {
    await node?.close();
    await pg?.stop();
  });

  const prepared = async () =>
    (await node.read<{ statement: string }>("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'graminsta_%'")).rows.map((row) => row.statement);

  test('a query with parameters is prepared once per connection and reused; one without stays unprepared (several statements allowed)', async () => {
    for (let i = 0; i < 3; i++) expect((await node.read<{ v: number }>('SELECT $1::int + 1 AS v', [i])).rows[0].v).toBe(i + 1);
    expect((await node.query<{ v: string }>('SELECT $1::text AS v', ['written'])).rows[0].v).toBe('written');
    await node.query('SELECT 1; SELECT 2');
    expect((await prepared()).sort()).toEqual(['SELECT $1::int + 1 AS v', 'SELECT $1::text AS v']);
  });

  test(`past ${MAX_PREPARED_STATEMENTS} distinct texts, queries still run, unprepared`, async () => {
    for (let i = 0; i < MAX_PREPARED_STATEMENTS + 5; i++) {
      expect((await node.read<{ v: number }>(`SELECT $1::int + ${i} AS v`, [1])).rows[0].v).toBe(1 + i);
    }
    expect((await prepared()).length).toBe(MAX_PREPARED_STATEMENTS);
  });
});
