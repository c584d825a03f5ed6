import { PassThrough } from 'node:stream';
import { Client } from 'pg';
import { DatabaseCluster } from '../../../api/src/db/database-cluster';
import { ShardMovingError } from '../../../api/src/db/shard-errors';
import { composeId, ID_EPOCH_MS } from '../../../contracts/ids';
import { sql, startPostgresServers, type TestPostgresServers } from '../../support/postgres-servers';
import { call } from '../support/http';
import { SHARD_HOMES, signUpOnServer } from '../support/shard-users';
import { startTestApp, type TestApp } from '../../support/api-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Copies one logical shard's rows from one server to another the way
 * tools/reshard does (its session bypasses the guard), so these tests can
 * play the tool's part by hand: copy, then `shard_moves` rows.
 */
async function copyShard(shard: number, fromUrl: string, toUrl: string): Promise<void> {
  const to = new Client({ connectionString: toUrl });
  await to.connect();
  try {
    await to.query(`SET graminsta.shard_guard = 'off'`);
    for (const [table, column] of SHARD_HOMES) {
      const [{ columns }] = await sql<{ columns: string }>(
        fromUrl,
        `SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) AS columns
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'`,
        [table],
      );
      // As text: parsed in JavaScript, 64-bit IDs would lose digits.
      const rows = await sql<{ r: string }>(fromUrl, `SELECT to_jsonb(t)::text AS r FROM ${table} t WHERE ((${column} >> 10) & 4095) = $1`, [shard]);
      for (const { r } of rows) {
        await to.query(`INSERT INTO ${table} (${columns}) SELECT ${columns} FROM jsonb_populate_record(NULL::${table}, $1::jsonb) ON CONFLICT DO NOTHING`, [r]);
      }
    }
  } finally {
    await to.end();
  }
}

/** Polls until `check` holds (the API's refresh runs on a timer), failing after `ms`. */
async function eventually(check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(50);
  }
}

describe('DatabaseCluster on two real servers: following moves and fences recorded in the databases', () => {
  let pg: TestPostgresServers;
  let api: TestApp;
  let logs = '';
  beforeAll(async () => {
    pg = await startPostgresServers(2);
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => (logs += chunk.toString()));
    api = await startTestApp(
      { SHARD_DATABASE_URLS: pg.urls.join(','), SHARD_MOVES_REFRESH_MS: '200', SHARD_WRITE_WAIT_MS: '1500', LOG_LEVEL: 'info' },
      stream,
    );
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  // The writeGrouped tests below freeze or move these shards by number: no user may sit on them,
  // or a `moved` row left by an earlier test would collide with theirs (this failed now and then).
  const GROUPED_SHARDS = [300, 301, 310, 311, 320, 321, 3000];
  const taken = new Set<number>(GROUPED_SHARDS);
  /** A user on server `index` whose logical shard no other test of this file uses (each test moves or freezes its own shard). */
  const userOn = (index: 0 | 1, base = api) => signUpOnServer(base.url, index, { prefix: 'm', taken });
  const newPhoto = (token: string, caption: string, base = api) =>
    call(base.url, 'POST', '/api/photos', { token, body: { caption, contentType: 'image/png', size: 1 } });
  const count = async (server: 0 | 1, table: string, where: string, values: unknown[]) =>
    (await sql<{ n: number }>(pg.urls[server], `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, values))[0].n;

  test('after a move recorded by hand (rows copied, a moved row on the source), reads and writes go to the new server', async () => {
    const ann = await userOn(0);
    const photo = (await newPhoto(ann.token, 'before the move')).body.photo;
    await copyShard(ann.shard, pg.urls[0], pg.urls[1]);
    // Recognisable on the target only: seeing it proves the read went there.
    await sql(pg.urls[1], `UPDATE photos SET caption = 'on primary-1' WHERE id = $1`, [photo.id]);
    const version = api.app.db.placementVersion;
    await sql(pg.urls[0], `INSERT INTO shard_moves (shard, state, peer, run_id) VALUES ($1, 'moved', 'primary-1', 'by-hand')`, [ann.shard]);

    await eventually(async () => (await call(api.url, 'GET', `/api/photos/${photo.id}`)).body.caption === 'on primary-1');
    expect(api.app.db.forShard(ann.shard).name).toBe('primary-1');
    expect(api.app.db.placementVersion).toBeGreaterThan(version);
    // Only that shard moved.
    expect(api.app.db.forShard(ann.shard === 0 ? 1 : ann.shard - 1).name).toBe('primary-0');
    // Her token still works (its session row moved with her shard) and her writes land on the new server only.
    const next = await newPhoto(ann.token, 'after the move');
    expect(next.status).toBe(201);
    expect(await count(1, 'photos', 'id = $1', [next.body.photo.id])).toBe(1);
    expect(await count(0, 'photos', 'id = $1', [next.body.photo.id])).toBe(0);
    expect((await call(api.url, 'GET', `/api/users/${ann.id}`)).body.photoCount).toBe(2);
  });

  test('a write refused as moved (55G02) re-reads the moves and succeeds on the new owner at once, without waiting for the timer', async () => {
    // An instance whose timer will not fire during this test.
    const slow = await startTestApp({ SHARD_DATABASE_URLS: pg.urls.join(','), SHARD_MOVES_REFRESH_MS: '600000' });
    try {
      const bob = await userOn(0, slow);
      const photo = (await newPhoto(bob.token, 'bob', slow)).body.photo;
      await copyShard(bob.shard, pg.urls[0], pg.urls[1]);
      await sql(pg.urls[0], `INSERT INTO shard_moves (shard, state, peer, run_id) VALUES ($1, 'moved', 'primary-1', 'by-hand')`, [bob.shard]);
      expect(slow.app.db.forShard(bob.shard).name).toBe('primary-0');
      expect((await call(slow.url, 'PUT', `/api/photos/${photo.id}/like`, { token: bob.token })).status).toBe(204);
      expect(slow.app.db.forShard(bob.shard).name).toBe('primary-1');
      expect(await count(1, 'likes', 'photo_id = $1', [photo.id])).toBe(1);
      expect(await count(0, 'likes', 'photo_id = $1', [photo.id])).toBe(0);
    } finally {
      await slow.close();
    }
  });

  test('a moved row naming a server that is not in the map is logged as an error, and the shard keeps its owner', async () => {
    const cat = await userOn(0);
    await sql(pg.urls[0], `INSERT INTO shard_moves (shard, state, peer, run_id) VALUES ($1, 'moved', 'primary-9', 'by-hand')`, [cat.shard]);
    await eventually(() => logs.includes('primary-9'));
    const line = logs.split('\n').find((l) => l.includes('primary-9'))!;
    expect(JSON.parse(line)).toMatchObject({
      level: 50,
      msg: 'shard moves are inconsistent',
      problem: `logical shards ${cat.shard}: primary-0 says they moved to "primary-9", which is not in the shard map; they keep their previous owner`,
    });
    expect(api.app.db.forShard(cat.shard).name).toBe('primary-0');
    expect((await call(api.url, 'GET', `/api/users/${cat.id}`)).status).toBe(200);
  });

  describe('a frozen shard (the move’s write pause)', () => {
    const freeze = (shard: number) => sql(pg.urls[0], `INSERT INTO shard_moves (shard, state, peer, run_id) VALUES ($1, 'frozen', 'primary-1', 'by-hand')`, [shard]);
    const unfreeze = (shard: number) => sql(pg.urls[0], 'DELETE FROM shard_moves WHERE shard = $1', [shard]);

    test('a write waits while the shard is frozen and succeeds once it is unfrozen within the wait; reads keep working meanwhile', async () => {
      const dan = await userOn(0);
      await freeze(dan.shard);
      let settled = false;
      const pending = newPhoto(dan.token, 'waited').then((response) => {
        settled = true;
        return response;
      });
      await sleep(300);
      expect((await call(api.url, 'GET', `/api/users/${dan.id}`)).body.photoCount).toBe(0);
      expect(settled).toBe(false);
      await unfreeze(dan.shard);
      const response = await pending;
      expect(response.status).toBe(201);
      expect(await count(0, 'photos', 'id = $1', [response.body.photo.id])).toBe(1);
      expect((await call(api.url, 'GET', `/api/users/${dan.id}`)).body.photoCount).toBe(1);
    });

    test('still frozen after the wait: 503 shard_moving with Retry-After: 1, and nothing is written', async () => {
      const eve = await userOn(0);
      const photo = (await newPhoto(eve.token, 'mine')).body.photo;
      const fay = await userOn(1);
      const snapshot = () =>
        Promise.all([
          sql(pg.urls[0], 'SELECT * FROM users WHERE id = $1', [eve.id]),
          sql(pg.urls[0], 'SELECT * FROM photos WHERE user_id = $1 ORDER BY id', [eve.id]),
          sql(pg.urls[0], 'SELECT photo_id, user_id FROM likes WHERE photo_id = $1', [photo.id]),
        ]);
      const before = await snapshot();
      await freeze(eve.shard);
      try {
        const created = await newPhoto(eve.token, 'refused');
        expect(created.status).toBe(503);
        expect(created.body).toEqual({ error: { code: 'shard_moving', message: expect.stringContaining(`logical shard ${eve.shard}`) } });
        expect(created.headers.get('retry-after')).toBe('1');
        const liked = await call(api.url, 'PUT', `/api/photos/${photo.id}/like`, { token: fay.token });
        expect(liked.status).toBe(503);
        expect((await call(api.url, 'DELETE', `/api/photos/${photo.id}`, { token: eve.token })).status).toBe(503);
        expect(await snapshot()).toEqual(before);
      } finally {
        await unfreeze(eve.shard);
      }
      expect((await call(api.url, 'PUT', `/api/photos/${photo.id}/like`, { token: fay.token })).status).toBe(204);
    });

    test('writes running through a short freeze all succeed, each exactly once, on the frozen shard and beside it', async () => {
      const ida = await userOn(0);
      const ivo = await userOn(1);
      // Enough that her posts are still coming when the freeze lands (a post is one statement, ~1 ms here).
      const posts = 100;
      const post = async (user: { token: string }, prefix: string) => {
        const statuses: number[] = [];
        for (let i = 0; i < posts; i++) statuses.push((await newPhoto(user.token, `${prefix}${i}`)).status);
        return statuses;
      };
      const running = Promise.all([post(ida, 'i'), post(ivo, 'v')]);
      await eventually(async () => (await count(0, 'photos', 'user_id = $1', [ida.id])) >= 3);
      await freeze(ida.shard);
      await sleep(400);
      // Her posts were still coming when the pause ended: some of them waited on it.
      expect(await count(0, 'photos', 'user_id = $1', [ida.id])).toBeLessThan(posts);
      await unfreeze(ida.shard);
      const [idaStatuses, ivoStatuses] = await running;
      expect(new Set([...idaStatuses, ...ivoStatuses])).toEqual(new Set([201]));
      const captions = await sql<{ caption: string }>(pg.urls[0], 'SELECT caption FROM photos WHERE user_id = $1 ORDER BY id', [ida.id]);
      expect(captions.map((row) => row.caption)).toEqual(Array.from({ length: posts }, (_, i) => `i${i}`));
      expect(await count(1, 'photos', 'user_id = $1', [ivo.id])).toBe(posts);
      expect((await call(api.url, 'GET', `/api/users/${ida.id}`)).body.photoCount).toBe(posts);
    });

    test('a follow whose second side is frozen fails with 503 after its first side; the retry after the pause converges (counters once)', async () => {
      const gil = await userOn(0);
      const hal = await userOn(1);
      await freeze(gil.shard);
      try {
        expect((await call(api.url, 'PUT', `/api/users/${gil.id}/follow`, { token: hal.token })).status).toBe(503);
        // First side (the follower's server) done, second side (the frozen followee's) not.
        expect(await count(1, 'following', 'follower_id = $1 AND followee_id = $2', [hal.id, gil.id])).toBe(1);
        expect(await count(0, 'followers', 'followee_id = $1', [gil.id])).toBe(0);
      } finally {
        await unfreeze(gil.shard);
      }
      expect((await call(api.url, 'PUT', `/api/users/${gil.id}/follow`, { token: hal.token })).status).toBe(204);
      expect(await count(0, 'followers', 'followee_id = $1 AND follower_id = $2', [gil.id, hal.id])).toBe(1);
      expect((await call(api.url, 'GET', `/api/users/${gil.id}`)).body.followerCount).toBe(1);
      expect((await call(api.url, 'GET', `/api/users/${hal.id}`)).body.followingCount).toBe(1);
    });
  });
  describe('writeGrouped (writes of many shards at once, as the worker’s fan-out does)', () => {
    let cluster: DatabaseCluster;
    beforeAll(async () => {
      cluster = new DatabaseCluster(
        pg.urls.map((url, index) => ({ name: `primary-${index}`, primary: { connectionString: url }, replicas: [], shards: [index === 0 ? [0, 2047] : [2048, 4095]] as const })),
        { movesRefreshMs: 600_000, writeWaitMs: 1000 },
      );
      await cluster.start();
    });
    afterAll(async () => cluster?.close());

    let sequence = 0;
    /** A photo ID on `shard`, unique within this file. */
    const photoOn = (shard: number) => composeId(ID_EPOCH_MS + 5_000_000 + ++sequence, shard, sequence).toString();
    const likeAll = (ids: readonly string[]) =>
      cluster.writeGrouped(ids, async (node, group) => {
        await node.query('INSERT INTO likes (photo_id, user_id) SELECT unnest($1::bigint[]), 1 ON CONFLICT DO NOTHING', [group]);
        return node.name;
      });
    const where = async (id: string) => {
      const found = await Promise.all([0, 1].map(async (server) => (await count(server as 0 | 1, 'likes', 'photo_id = $1', [id])) > 0));
      return found.map((yes, server) => (yes ? `primary-${server}` : '')).join('');
    };

    test('one statement per server; a frozen shard’s group waits and is written once unfrozen', async () => {
      const frozen = 300;
      const ids = [photoOn(frozen), photoOn(301), photoOn(3000)];
      await sql(pg.urls[0], `INSERT INTO shard_moves (shard, state, peer, run_id) VALUES ($1, 'frozen', 'primary-1', 'by-hand')`, [frozen]);
      const pending = likeAll(ids);
      await sleep(200);
      await sql(pg.urls[0], 'DELETE FROM shard_moves WHERE shard = $1', [frozen]);
      expect((await pending).sort()).toEqual(['primary-0', 'primary-1']);
      expect(await Promise.all(ids.map(where))).toEqual(['primary-0', 'primary-0', 'primary-1']);
    });

    test('a group refused as moved is regrouped onto the new owner', async () => {
      const moved = 310;
      await sql(pg.urls[0], `INSERT INTO shard_moves (shard, state, peer, run_id) VALUES ($1, 'moved', 'primary-1', 'by-hand')`, [moved]);
      const ids = [photoOn(moved), photoOn(311)];
      await likeAll(ids);
      expect(cluster.forShard(moved).name).toBe('primary-1');
      expect(await Promise.all(ids.map(where))).toEqual(['primary-1', 'primary-0']);
    });

    test('frozen for longer than the wait: ShardMovingError naming the shard, and that group is not written', async () => {
      const frozen = 320;
      await sql(pg.urls[0], `INSERT INTO shard_moves (shard, state, peer, run_id) VALUES ($1, 'frozen', 'primary-1', 'by-hand')`, [frozen]);
      try {
        const id = photoOn(frozen);
        const error = await likeAll([id, photoOn(321)]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ShardMovingError);
        expect((error as ShardMovingError).shard).toBe(frozen);
        expect(await where(id)).toBe('');
      } finally {
        await sql(pg.urls[0], 'DELETE FROM shard_moves WHERE shard = $1', [frozen]);
      }
    });
  });
});
