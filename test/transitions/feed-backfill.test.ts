/**
 * The feed backfill of docs/runbooks/100k-to-1m.md (step 2), run as written
 * in the runbook against a real PostgreSQL with every migration applied:
 * each reader gets their followees' 20 newest photos, celebrities' photos are
 * left to request time, a second run adds nothing, and rows the worker
 * already wrote are kept.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { MIGRATIONS } from '../../api/src/db/migrations';
import { migrate } from '../../api/src/db/migrate';
import { BACKFILL_PHOTOS } from '../../api/src/feed/feed-writer';
import { composeId, ID_EPOCH_MS, shardForUsername } from '../../contracts/ids';
import { startPostgres, type TestPostgres } from '../support/postgres';

const RUNBOOK = join(__dirname, '..', '..', 'docs', 'runbooks', '100k-to-1m.md');

/** The SQL block marked `-- feed-backfill` in the runbook. */
function backfillSql(): string {
  const blocks = [...readFileSync(RUNBOOK, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
  const block = blocks.find((b) => b.startsWith('-- feed-backfill'));
  if (!block) throw new Error('no ```sql block starting with -- feed-backfill in the runbook');
  return block;
}

describe('the 100k → 1m feed backfill (runbook SQL on real PostgreSQL)', () => {
  let pg: TestPostgres;
  let client: Client;
  const ids = new Map<string, bigint>();
  let seq = 0;
  const photosOf = new Map<string, bigint[]>();

  beforeAll(async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase('backfill');
    await migrate(url, MIGRATIONS);
    client = new Client({ connectionString: url });
    await client.connect();
    const names = ['reader_one', 'reader_two', 'author_many', 'author_few', 'celebrity', 'lurker'];
    for (const name of names) {
      const id = composeId(ID_EPOCH_MS + 1000 + seq++, shardForUsername(name), 0);
      ids.set(name, id);
      await client.query('INSERT INTO users (id, username, password_hash) VALUES ($1, $2, $3)', [id.toString(), name, 'x']);
    }
    const follow = async (follower: string, followee: string) => {
      await client.query('INSERT INTO following (follower_id, followee_id) VALUES ($1, $2)', [ids.get(follower)!.toString(), ids.get(followee)!.toString()]);
      await client.query('INSERT INTO followers (followee_id, follower_id) VALUES ($1, $2)', [ids.get(followee)!.toString(), ids.get(follower)!.toString()]);
      await client.query('UPDATE users SET follower_count = follower_count + 1 WHERE id = $1', [ids.get(followee)!.toString()]);
    };
    await follow('reader_one', 'author_many');
    await follow('reader_one', 'author_few');
    await follow('reader_one', 'celebrity');
    await follow('reader_two', 'author_few');
    await follow('author_few', 'author_many');
    // Above FEED_CELEBRITY_FOLLOWERS (10000): read at request time, never fanned out.
    await client.query('UPDATE users SET follower_count = 20000 WHERE id = $1', [ids.get('celebrity')!.toString()]);
    const post = async (author: string, count: number) => {
      const list: bigint[] = [];
      for (let i = 0; i < count; i++) {
        const id = composeId(ID_EPOCH_MS + 100_000 + seq++, Number((ids.get(author)! >> 10n) & 4095n), i % 1024);
        list.push(id);
        await client.query(
          "INSERT INTO photos (id, user_id, caption, content_type, size, status, created_at) VALUES ($1, $2, 'c', 'image/jpeg', 10, 'ready', now() - make_interval(secs => $3))",
          [id.toString(), ids.get(author)!.toString(), count - i],
        );
      }
      photosOf.set(author, list);
    };
    await post('author_many', 25);
    await post('author_few', 3);
    await post('celebrity', 4);
    await post('lurker', 2);
  }, 120_000);

  afterAll(async () => {
    await client?.end();
    await pg?.stop();
  });

  const entries = async () =>
    (await client.query<{ user_id: string; photo_id: string; author_id: string }>('SELECT user_id, photo_id, author_id FROM feed_entries ORDER BY user_id, photo_id')).rows.map(
      (r) => `${r.user_id}/${r.photo_id}/${r.author_id}`,
    );
  const expectedFor = (reader: string, authors: string[]) =>
    authors.flatMap((author) => [...photosOf.get(author)!].sort((a, b) => (a > b ? -1 : 1)).slice(0, BACKFILL_PHOTOS).map((p) => `${ids.get(reader)}/${p}/${ids.get(author)}`));

  test('fills each reader with the newest photos of whom they follow, celebrities left out, the runbook constants matching the worker', async () => {
    expect(backfillSql()).toContain(`LIMIT ${BACKFILL_PHOTOS}`);
    // One row the worker already wrote (a photo fanned out after the roll) must survive.
    const fannedOut = photosOf.get('author_few')![2];
    await client.query('INSERT INTO feed_entries (user_id, photo_id, author_id, created_at) VALUES ($1, $2, $3, now())', [
      ids.get('reader_two')!.toString(),
      fannedOut.toString(),
      ids.get('author_few')!.toString(),
    ]);
    await client.query(backfillSql());
    const expected = [
      ...expectedFor('reader_one', ['author_many', 'author_few']),
      ...expectedFor('reader_two', ['author_few']),
      ...expectedFor('author_few', ['author_many']),
    ].sort();
    expect((await entries()).sort()).toEqual(expected);
    expect(expected).toHaveLength(20 + 3 + 3 + 20);
  });

  test('a second run adds nothing (idempotent: run it again after the roll)', async () => {
    const before = await entries();
    await client.query(backfillSql());
    expect(await entries()).toEqual(before);
  });

  test('works through readers in batches of 1000, committing each (1500 more readers: every one is filled)', async () => {
    const author = ids.get('author_few')!.toString();
    // 1500 readers with IDs above the others', each following author_few.
    await client.query(
      `INSERT INTO users (id, username, password_hash)
       SELECT (((extract(epoch FROM now()) * 1000)::bigint - $1) << 22) + (n << 10), 'bulk_' || n, 'x' FROM generate_series(1, 1500) n`,
      [ID_EPOCH_MS],
    );
    await client.query("INSERT INTO following (follower_id, followee_id) SELECT id, $1 FROM users WHERE username LIKE 'bulk\\_%'", [author]);
    const before = (await entries()).length;
    await client.query(backfillSql());
    const perReader = await client.query<{ n: string }>(
      "SELECT count(f.*) AS n FROM users u LEFT JOIN feed_entries f ON f.user_id = u.id WHERE u.username LIKE 'bulk\\_%' GROUP BY u.id",
    );
    expect(perReader.rows).toHaveLength(1500);
    expect(new Set(perReader.rows.map((r) => Number(r.n)))).toEqual(new Set([3]));
    expect((await entries()).length).toBe(before + 1500 * 3);
  });
});
