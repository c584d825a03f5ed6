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

  test('stopServer ends open sessions; startServer brings the same data back on the same port', async () => {
    const client = new Client({ connectionString: pg.url });
    // The server's 57P01 and then the closed socket each arrive as an 'error' event.
    const dropped = new Promise<Error>((resolve) => client.on('error', resolve));
    await client.connect();
    await client.query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    await pg.stopServer();
    expect((await dropped).message).toMatch(/terminat/);
    await client.end().catch(() => undefined);
    await pg.startServer();
    const again = new Client({ connectionString: pg.url });
    await again.connect();
    const { rows } = await again.query('SELECT n FROM kept');
    await again.end();
    expect(rows).toEqual([{ n: 42 }]);
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

  test('can be paused (commands time out), resumed, killed and restarted empty', async () => {
    const redis = await startRedis();
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, commandTimeout: 300 });
    try {
      await client.set('k', 'v');
      redis.pause();
      await expect(client.get('k')).rejects.toThrow(/timed out/i);
      redis.resume();
      expect(await client.get('k')).toBe('v');
      await redis.kill();
      await redis.start();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await client.get('k')).toBeNull();
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});
