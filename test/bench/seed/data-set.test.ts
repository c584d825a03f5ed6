import { shardOfId } from '../../../api/src/lib/ids';
import { DataSet, READER_USERNAME } from '../../../bench/seed/data-set';

const split = (rows: Iterable<string>) => Array.from(rows, (row) => row.slice(0, -1).split('\t'));

describe('DataSet', () => {
  const data = new DataSet({ users: 500, photos: 4000, follows: 9000, readerFollows: 200 });
  const users = split(data.userRows('scrypt$hash'));
  const photos = split(data.photoRows());
  const follows = split(data.followRows());

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
    expect(split(again.followRows())).toEqual(follows);
  });

  test('impossible sizes are refused before anything is built', () => {
    expect(() => new DataSet({ users: 2, photos: 0, follows: 0 })).toThrow(/--users must be an integer of at least 3/);
    expect(() => new DataSet({ users: 10, photos: 0, follows: 5, readerFollows: 9 })).toThrow(/--follows must be an integer between 9 and/);
    expect(() => new DataSet({ users: 10, photos: -1, follows: 20 })).toThrow(/--photos/);
  });
});
