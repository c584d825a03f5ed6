import { Client } from 'pg';
import { DatabaseCluster } from '../../../api/src/db/database-cluster';
import { migrate } from '../../../api/src/db/migrate';
import { CelebritySet } from '../../../api/src/feed/celebrity-set';
import { composeId, ID_EPOCH_MS } from '../../../contracts/ids';
import { startPostgres, type TestPostgres } from '../../support/postgres';

/**
 * The celebrity IDs the fan-out feed reads are cached per API process
 * (CelebritySet): how stale they may be, that a request never waits for a
 * refresh once a set exists, that a failed refresh keeps the last set, and
 * that each celebrity is counted by the server owning it. Real PostgreSQL;
 * the clock is the test's.
 */
jest.setTimeout(60_000);

const THRESHOLD = 100;

describe('CelebritySet', () => {
  let pg: TestPostgres;
  let db: Client;
  let sequence = 0;

  beforeAll(async () => {
    pg = await startPostgres();
    await migrate(pg.url);
    db = new Client({ connectionString: pg.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await pg?.stop();
  });

  /** A user on logical `shard` with `followers` followers. */
  async function user(followers: number, shard = 7): Promise<string> {
    const id = composeId(ID_EPOCH_MS + 1000 + ++sequence, shard, sequence).toString();
    await db.query("INSERT INTO users (id, username, password_hash, follower_count) VALUES ($1, $2, 'x', $3)", [id, `cs_${sequence}`, followers]);
    return id;
  }
  const setFollowers = (id: string, followers: number) => db.query('UPDATE users SET follower_count = $2 WHERE id = $1', [id, followers]);

  function cluster(servers: 1 | 2 = 1): DatabaseCluster {
    // Two "servers" on the same database: each holds every row, as a server still holding a shard it gave away does.
    const shards = servers === 1 ? [[[0, 4095] as const]] : [[[0, 2047] as const], [[2048, 4095] as const]];
    return new DatabaseCluster(
      shards.map((owned, index) => ({ name: `primary-${index}`, primary: { connectionString: pg.url }, replicas: [], shards: owned })),
      { movesRefreshMs: 600_000, writeWaitMs: 1000 },
    );
  }

  test('read whole on first use; kept for refreshMs; then served stale once while one refresh runs, fresh after it', async () => {
    const star = await user(THRESHOLD + 1);
    const plain = await user(THRESHOLD);
    const cl = cluster();
    await cl.start();
    let now = 0;
    const warnings: unknown[] = [];
    const set = new CelebritySet(cl, THRESHOLD, 30_000, { warn: (...args: unknown[]) => warnings.push(args) }, () => now);
    try {
      expect(await set.ids()).toContain(star);
      expect(await set.ids()).not.toContain(plain);
      await setFollowers(plain, THRESHOLD + 1);
      now = 29_999;
      expect(await set.ids()).not.toContain(plain); // within refreshMs: the kept set
      now = 30_000;
      expect(await set.ids()).not.toContain(plain); // stale: answered at once, refresh started
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await set.ids()).toEqual(expect.arrayContaining([star, plain]));
      expect(warnings).toEqual([]);
    } finally {
      await cl.close();
    }
  });

  test('refreshMs 0 reads the set on every call', async () => {
    const rising = await user(1);
    const cl = cluster();
    await cl.start();
    const set = new CelebritySet(cl, THRESHOLD, 0, { warn: () => undefined });
    try {
      expect(await set.ids()).not.toContain(rising);
      await setFollowers(rising, THRESHOLD + 5);
      expect(await set.ids()).toContain(rising);
    } finally {
      await cl.close();
    }
  });

  test('a failed refresh keeps the last set and says so; the first read of a process fails like any query', async () => {
    const star = await user(THRESHOLD + 1);
    const cl = cluster();
    await cl.start();
    let now = 0;
    const warnings: string[] = [];
    const set = new CelebritySet(cl, THRESHOLD, 1000, { warn: (_fields: unknown, message?: string) => warnings.push(String(message)) }, () => now);
    expect(await set.ids()).toContain(star);
    await cl.close(); // every query fails from here
    now = 5000;
    expect(await set.ids()).toContain(star);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(warnings).toEqual(['celebrity set: refresh failed, the previous set is kept']);
    await expect(new CelebritySet(cl, THRESHOLD, 1000, { warn: () => undefined }).ids()).rejects.toThrow();
  });

  test('each celebrity is counted by the server owning its shard, not by one still holding a copy', async () => {
    const low = await user(THRESHOLD + 1, 10);
    const high = await user(THRESHOLD + 1, 3000);
    const cl = cluster(2);
    await cl.start();
    try {
      const ids = await new CelebritySet(cl, THRESHOLD, 0, { warn: () => undefined }).ids();
      expect(ids.filter((id) => id === low || id === high).sort()).toEqual([low, high].sort());
    } finally {
      await cl.close();
    }
  });
});
