import { Client } from 'pg';
import { startPostgresServers, sql, type TestPostgresServers } from '../../support/postgres-servers';
import { call } from '../support/http';
import { signUpOnServer, type ShardUser } from '../support/shard-users';
import { startTestApp, type TestApp } from '../../support/api-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Backends waiting on a lock (a row lock or an advisory lock) on any of these servers. */
async function lockWaiters(urls: readonly string[]): Promise<number> {
  let total = 0;
  for (const url of urls) {
    const [{ n }] = await sql<{ n: number }>(url, `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`);
    total += n;
  }
  return total;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * Issue 14, defect 4: a follow and an unfollow of the same pair, interleaved
 * F1 U1 U2 F2 (the follow's second step held up on the followee's server
 * while the whole unfollow runs), used to leave `followers` without
 * `following` while both answered 204. Run with both users on one server and
 * on two.
 */
describe.each([
  ['one server', 1],
  ['two servers', 2],
] as const)('follow and unfollow racing on %s', (_name, servers) => {
  let pg: TestPostgresServers;
  let api: TestApp;
  // Server URLs by index; the follower lives on the first, the followee on the last.
  let urls: string[];

  beforeAll(async () => {
    pg = await startPostgresServers(servers);
    urls = [...pg.urls];
    api = await startTestApp(servers === 1 ? { DATABASE_URL: urls[0] } : { SHARD_DATABASE_URLS: urls.join(',') });
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  const onServer = (index: number) => signUpOnServer(api.url, index, { servers });

  /** Each side of the edge and each counter, read from the rows' own servers. */
  async function edge(follower: ShardUser, followee: ShardUser) {
    const followerUrl = urls[0];
    const followeeUrl = urls[servers - 1];
    const [{ following }] = await sql<{ following: number }>(followerUrl, 'SELECT count(*)::int AS following FROM following WHERE follower_id = $1 AND followee_id = $2', [follower.id, followee.id]);
    const [{ followers }] = await sql<{ followers: number }>(followeeUrl, 'SELECT count(*)::int AS followers FROM followers WHERE followee_id = $1 AND follower_id = $2', [followee.id, follower.id]);
    const [counts] = await sql<{ following_count: number; following_rows: number }>(
      followerUrl,
      'SELECT following_count, (SELECT count(*)::int FROM following WHERE follower_id = $1) AS following_rows FROM users WHERE id = $1',
      [follower.id],
    );
    const [theirs] = await sql<{ follower_count: number; follower_rows: number }>(
      followeeUrl,
      'SELECT follower_count, (SELECT count(*)::int FROM followers WHERE followee_id = $1) AS follower_rows FROM users WHERE id = $1',
      [followee.id],
    );
    return { following, followers, counters: [counts.following_count - counts.following_rows, theirs.follower_count - theirs.follower_rows] };
  }

  test('F1 U1 U2 F2: both answer 204 and the two sides end equal, counters matching the rows', async () => {
    const follower = await onServer(0);
    const followee = await onServer(servers - 1);
    // Hold the followee's row, where the follow's second step updates the follower count.
    const holder = new Client({ connectionString: urls[servers - 1] });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [followee.id]);
      const follow = call(api.url, 'PUT', `/api/users/${followee.id}/follow`, { token: follower.token });
      await until(async () => (await lockWaiters(urls)) >= 1, 'the follow to wait on the followee row');
      let unfollowDone = false;
      const unfollow = call(api.url, 'DELETE', `/api/users/${followee.id}/follow`, { token: follower.token }).then((response) => {
        unfollowDone = true;
        return response;
      });
      // The unfollow either runs to the end inside the follow's window (the defect) or waits its turn.
      await until(async () => unfollowDone || (await lockWaiters(urls)) >= 2, 'the unfollow to finish or wait');
      await holder.query('ROLLBACK');
      expect([(await follow).status, (await unfollow).status]).toEqual([204, 204]);
    } finally {
      await holder.end();
    }
    const state = await edge(follower, followee);
    expect(state.followers).toBe(state.following);
    expect(state.counters).toEqual([0, 0]);
  });

  test('a half edge (followee side only) is repaired by the next unfollow of the pair', async () => {
    const follower = await onServer(0);
    const followee = await onServer(servers - 1);
    // What a failed second step of an unfollow leaves: the follower's side gone, the followee's still there.
    await sql(urls[servers - 1], 'INSERT INTO followers (followee_id, follower_id) VALUES ($1, $2)', [followee.id, follower.id]);
    await sql(urls[servers - 1], 'UPDATE users SET follower_count = follower_count + 1 WHERE id = $1', [followee.id]);
    expect((await call(api.url, 'DELETE', `/api/users/${followee.id}/follow`, { token: follower.token })).status).toBe(204);
    expect(await edge(follower, followee)).toEqual({ following: 0, followers: 0, counters: [0, 0] });
  });

  test('opposite follows of two users at once both succeed (no deadlock)', async () => {
    const a = await onServer(0);
    const b = await onServer(servers - 1);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? call(api.url, 'PUT', `/api/users/${b.id}/follow`, { token: a.token }) : call(api.url, 'PUT', `/api/users/${a.id}/follow`, { token: b.token }))),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(204));
    expect((await call(api.url, 'GET', `/api/users/${a.id}`)).body).toMatchObject({ followerCount: 1, followingCount: 1 });
    expect((await call(api.url, 'GET', `/api/users/${b.id}`)).body).toMatchObject({ followerCount: 1, followingCount: 1 });
  });
});
