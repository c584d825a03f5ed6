import { Client } from 'pg';
import { DatabaseCluster } from '../../../api/src/db/database-cluster';
import { migrate } from '../../../api/src/db/migrate';
import { CelebritySet } from '../../../api/src/feed/celebrity-set';
import { FeedReader } from '../../../api/src/feed/feed-reader';
import { FollowsRepository } from '../../../api/src/repositories/follows-repository';
import { PhotosRepository } from '../../../api/src/repositories/photos-repository';
import { composeId, ID_EPOCH_MS } from '../../../contracts/ids';
import { startPostgres, type TestPostgres } from '../../support/postgres';

/**
 * The fan-out page on two servers: an entry's photo comes from the join on
 * the reader's server only where that server owns the photo, and from its
 * owner otherwise, so a copy left behind by a shard move (not yet cleaned up)
 * never stands in for the owner's answer. Real PostgreSQL, two databases.
 */
jest.setTimeout(60_000);

const READER_SHARD = 5; // server 0 owns 0-2047
const AUTHOR_SHARD = 3000; // server 1 owns 2048-4095

describe('FeedReader across servers', () => {
  let pg: TestPostgres;
  let urls: string[];
  let clients: Client[];
  let cluster: DatabaseCluster;
  let reader: FeedReader;
  let sequence = 0;
  const id = (shard: number) => composeId(ID_EPOCH_MS + 1000 + ++sequence, shard, sequence).toString();

  beforeAll(async () => {
    pg = await startPostgres();
    urls = [pg.url, await pg.createDatabase()];
    for (const url of urls) await migrate(url);
    clients = urls.map((url) => new Client({ connectionString: url }));
    await Promise.all(clients.map((client) => client.connect()));
    cluster = new DatabaseCluster(
      urls.map((url, index) => ({ name: `primary-${index}`, primary: { connectionString: url }, replicas: [], shards: [index === 0 ? [0, 2047] : [2048, 4095]] as const })),
      { movesRefreshMs: 600_000, writeWaitMs: 1000 },
    );
    await cluster.start();
    const photos = new PhotosRepository(cluster);
    reader = new FeedReader(cluster, photos, new FollowsRepository(cluster), new CelebritySet(cluster, 10_000, 0, { warn: () => undefined }));
  });
  afterAll(async () => {
    await cluster?.close();
    await Promise.all((clients ?? []).map((client) => client.end()));
    await pg?.stop();
  });

  async function user(server: 0 | 1, shard: number): Promise<string> {
    const userId = id(shard);
    await clients[server].query("INSERT INTO users (id, username, password_hash) VALUES ($1, $2, 'x')", [userId, `fs_${sequence}`]);
    return userId;
  }
  async function photo(server: 0 | 1, authorId: string, shard: number): Promise<string> {
    const photoId = id(shard);
    await clients[server].query("INSERT INTO photos (id, user_id, caption, content_type, size, status) VALUES ($1, $2, 'c', 'image/jpeg', 1, 'ready')", [photoId, authorId]);
    return photoId;
  }

  test('entries of photos on another server are read from their owner, with the reader’s likes; a copy on the reader’s server is ignored', async () => {
    const me = await user(0, READER_SHARD);
    const local = await user(0, READER_SHARD + 1);
    const remote = await user(1, AUTHOR_SHARD);
    await clients[0].query('INSERT INTO following (follower_id, followee_id) VALUES ($1, $2), ($1, $3)', [me, local, remote]);
    const near = await photo(0, local, READER_SHARD + 1);
    const far = await photo(1, remote, AUTHOR_SHARD);
    const gone = await photo(1, remote, AUTHOR_SHARD);
    // The reader's server still holds a copy of `gone` (its shard moved away, not cleaned up); the owner deleted it.
    await clients[0].query("INSERT INTO photos (id, user_id, caption, content_type, size, status) VALUES ($1, $2, 'stale copy', 'image/jpeg', 1, 'ready')", [gone, remote]);
    await clients[1].query('DELETE FROM photos WHERE id = $1', [gone]);
    for (const [photoId, author] of [[near, local], [far, remote], [gone, remote]]) {
      await clients[0].query('INSERT INTO feed_entries (user_id, photo_id, author_id, created_at) VALUES ($1, $2, $3, now())', [me, photoId, author]);
    }
    // The reader likes the remote photo (the like lives with the photo, on server 1) and a leftover copy's id on server 0.
    await clients[1].query('INSERT INTO likes (photo_id, user_id) VALUES ($1, $2)', [far, me]);
    await clients[0].query('INSERT INTO likes (photo_id, user_id) VALUES ($1, $2)', [near, me]);
    const { rows: page, likedByReader } = await reader.page(me, undefined, 10, true);
    expect(page.map((row) => row.id)).toEqual([far, near].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1)));
    expect(page.find((row) => row.id === far)?.caption).toBe('c');
    expect([...(likedByReader ?? [])].sort()).toEqual([far, near].sort());
  });

  test("the reader's server answers its entries and its share of the pull in one statement: the reader's own and its celebrities' photos, beside the other server's", async () => {
    const me = await user(0, READER_SHARD);
    const plain = await user(0, READER_SHARD + 1);
    const homeStar = await user(0, READER_SHARD + 2);
    const unfollowedStar = await user(0, READER_SHARD + 3);
    const farStar = await user(1, AUTHOR_SHARD + 1);
    for (const [server, star] of [[0, homeStar], [0, unfollowedStar], [1, farStar]] as const) {
      await clients[server].query('UPDATE users SET follower_count = 10001 WHERE id = $1', [star]);
    }
    await clients[0].query('INSERT INTO following (follower_id, followee_id) VALUES ($1, $2), ($1, $3), ($1, $4)', [me, plain, homeStar, farStar]);
    await clients[0].query('INSERT INTO followers (followee_id, follower_id) VALUES ($1, $3), ($2, $3)', [plain, homeStar, me]);
    await clients[1].query('INSERT INTO followers (followee_id, follower_id) VALUES ($1, $2)', [farStar, me]);
    const mine = await photo(0, me, READER_SHARD);
    const entered = await photo(0, plain, READER_SHARD + 1);
    const homeStarPhoto = await photo(0, homeStar, READER_SHARD + 2);
    await photo(0, unfollowedStar, READER_SHARD + 3);
    const farStarPhoto = await photo(1, farStar, AUTHOR_SHARD + 1);
    await clients[0].query('INSERT INTO feed_entries (user_id, photo_id, author_id, created_at) VALUES ($1, $2, $3, now())', [me, entered, plain]);
    await clients[0].query('INSERT INTO likes (photo_id, user_id) VALUES ($1, $2)', [homeStarPhoto, me]);
    const { rows: page, likedByReader } = await reader.page(me, undefined, 10, true);
    expect(page.map((row) => row.id)).toEqual([mine, entered, homeStarPhoto, farStarPhoto].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1)));
    expect([...(likedByReader ?? [])]).toEqual([homeStarPhoto]);
  });
});
