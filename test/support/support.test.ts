import { Client } from 'pg';
import Redis from 'ioredis';
import { startPostgres, type TestPostgres } from './postgres';
import { describeWithRedis, startRedis } from './redis';

describe('test PostgreSQL', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());

  test('answers queries on a fresh database and can create another', async () => {
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    const { rows } = await client.query('select current_database() as db, version() as v');
    await client.end();
    expect(rows[0].v).toMatch(/^PostgreSQL \d+/);
    const second = await pg.createDatabase();
    expect(second).not.toEqual(pg.url);
  });
});

describeWithRedis('test Redis', () => {
  test('serves on a free port and can be stopped and restarted', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');
    client.disconnect();
    await redis.stop();
  });
});
