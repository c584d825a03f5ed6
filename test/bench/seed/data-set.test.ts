import { shardOfId } from '../../../contracts/ids';
import { DataSet, READER_USERNAME } from '../../../bench/seed/data-set';
import { evenLayout, ownedBy } from '../../../bench/seed/shard-layout';

const split = (rows: Iterable<string>) => Array.from(rows, (row) => row.slice(0, -1).split('\t'));

describe('DataSet', () => {
  const data = new DataSet({ users: 500, photos: 4000, follows: 9000, readerFollows: 200 });
  const users = split(data.userRows('scrypt$hash'));
  const photos = split(data.photoRows());
  const follows = split(data.followingRows());

  test('makes exactly the rows asked for', () => {
    expect(users).toHaveLength(500);
    expect(photos).toHaveLength(4000);
    expect(follows).toHaveLength(9000);
  });

  test('IDs are unique and carry the shard the API derives from the username', () => {
    expect(new Set(users.map((u) => u[0])).size).toBe(500);
    expect(new Set(photos.map((p) => p[0])).size).toBe(4000);
    for (let i = 0; i < 500; i++) expect(shardOfId(users[i][0])).toBe(data.userShard[i]);
    const shardOfUser = new Map(users.map((u, i) => [u[0], data.userShard[i]]));
    for (const p of photos) expect(shardOfId(p[0])).toBe(shardOfUser.get(p[1]));
  });

  test('usernames are valid for the API and photo counts match the photos', () => {
    for (const u of users) expect(u[1]).toMatch(/^[a-z0-9_]{3,30}$/);
    expect(users[0][1]).toBe(READER_USERNAME);
    const perUser = new Map<string, number>();
    for (const p of photos) perUser.set(p[1], (perUser.get(p[1]) ?? 0) + 1);
    for (const u of users) expect(Number(u[3])).toBe(perUser.get(u[0]) ?? 0);
  });

  test('follower and following counters on the user rows match the edges', () => {
    const followers = new Map<string, number>();
    const following = new Map<string, number>();
    for (const [a, b] of follows) {
      following.set(a, (following.get(a) ?? 0) + 1);
      followers.set(b, (followers.get(b) ?? 0) + 1);
    }
    for (const u of users) expect([Number(u[4]), Number(u[5])]).toEqual([followers.get(u[0]) ?? 0, following.get(u[0]) ?? 0]);
    expect(users[0][5]).toBe('200');
  });

  test('feed entries: for the reader and every 10th user, one per photo of each followed account at or below the celebrity threshold', () => {
    const threshold = 30;
    const entries = split(data.feedEntryRows(undefined, threshold));
    const index = new Map(users.map((u, i) => [u[0], i]));
    const followerCount = new Map(users.map((u) => [u[0], Number(u[4])]));
    const expected = follows
      .filter(([a, b]) => index.get(a)! % 10 === 0 && followerCount.get(b)! <= threshold)
      .flatMap(([a, b]) => photos.filter((p) => p[1] === b).map((p) => `${a}>${p[0]}>${b}>${p[7]}`));
    const got = entries.map((e) => `${e[0]}>${e[1]}>${e[2]}>${e[3]}`);
    expect(got.sort()).toEqual(expected.sort());
    expect(new Set(entries.map((e) => e[0])).has(users[0][0])).toBe(true);
    expect(new Set(entries.map((e) => e[0])).size).toBeGreaterThan(20);
    // Some followed accounts are above the threshold: their photos are read at request time instead.
    expect(follows.some(([a, b]) => a === users[0][0] && followerCount.get(b)! > threshold)).toBe(true);
    expect(data.rowCounts(undefined, threshold).feed_entries).toBe(entries.length);
  });

  test('followers rows are the following rows turned around', () => {
    const turned = split(data.followerRows()).map(([b, a, at]) => [a, b, at]);
    expect(turned).toEqual(follows);
  });

  test('a two-server layout splits every table exactly: each row on the server of its home shard, none lost or doubled', () => {
    const layout = evenLayout(2);
    const [one, two] = layout.map(ownedBy);
    const home = (id: string) => shardOfId(id);
    const on = (keep: typeof one) => ({
      users: split(data.userRows('h', keep)),
      photos: split(data.photoRows(keep)),
      following: split(data.followingRows(keep)),
      followers: split(data.followerRows(keep)),
    });
    const a = on(one);
    const b = on(two);
    for (const u of a.users) expect(one(home(u[0]))).toBe(true);
    for (const p of b.photos) expect(two(home(p[0]))).toBe(true);
    for (const f of a.following) expect(one(home(f[0]))).toBe(true); // follower's shard
    for (const f of b.followers) expect(two(home(f[0]))).toBe(true); // followee's shard
    const sorted = (rows: string[][]) => rows.map((r) => r.join('\t')).sort();
    expect(sorted([...a.users, ...b.users])).toEqual(sorted(split(data.userRows('h'))));
    expect(sorted([...a.photos, ...b.photos])).toEqual(sorted(photos));
    expect(sorted([...a.following, ...b.following])).toEqual(sorted(follows));
    expect(sorted([...a.followers, ...b.followers])).toEqual(sorted(split(data.followerRows())));
    // Both servers get a real share (usernames hash evenly over the shards).
    expect(a.users.length).toBeGreaterThan(150);
    expect(b.users.length).toBeGreaterThan(150);
    const feedA = split(data.feedEntryRows(one));
    for (const f of feedA) expect(one(home(f[0]))).toBe(true); // the reader's shard
    expect(sorted([...feedA, ...split(data.feedEntryRows(two))])).toEqual(sorted(split(data.feedEntryRows())));
    expect(data.rowCounts(one)).toEqual({ users: a.users.length, photos: a.photos.length, following: a.following.length, followers: a.followers.length, feed_entries: feedA.length });
  });

  test('follow edges are distinct, never to oneself, and the reader follows exactly 200 accounts', () => {
    const pairs = follows.map(([a, b]) => `${a}>${b}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    for (const [a, b] of follows) expect(a).not.toBe(b);
    expect(follows.filter(([a]) => a === users[0][0])).toHaveLength(200);
  });

  test('followers are skewed: the top celebrity has many times the median', () => {
    const counts = Array.from(data.followerCount).sort((a, b) => a - b);
    expect(data.followerCount[data.celebrities[0]]).toBe(counts[counts.length - 1]);
    expect(counts[counts.length - 1]).toBeGreaterThan(10 * Math.max(1, counts[250]));
  });

  test('the same seed builds the same rows', () => {
    const again = new DataSet({ users: 500, photos: 4000, follows: 9000, readerFollows: 200 });
    expect(split(again.followingRows())).toEqual(follows);
    expect(split(again.photoRows())).toEqual(photos);
  });

  test('impossible sizes are refused before anything is built', () => {
    expect(() => new DataSet({ users: 2, photos: 0, follows: 0 })).toThrow(/--users must be an integer of at least 3/);
    expect(() => new DataSet({ users: 10, photos: 0, follows: 5, readerFollows: 9 })).toThrow(/--follows must be an integer between 9 and/);
    expect(() => new DataSet({ users: 10, photos: -1, follows: 20 })).toThrow(/--photos/);
  });
});
