import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrate } from '../../../api/src/db/migrate';
import type { TestPostgres } from '../../support/postgres';

/** Sharded tables and the column giving each row's home shard (migrations 0002, 0003). */
export const HOME_COLUMN: Record<string, string> = {
  users: 'id',
  photos: 'id',
  likes: 'photo_id',
  following: 'follower_id',
  followers: 'followee_id',
  sessions: 'user_id',
  feed_entries: 'user_id',
};

export interface Layout {
  /** Database URL per primary name (`primary-0`, `primary-1`, …). */
  readonly urls: Record<string, string>;
  /** A shard map file: everything on primary-0, the others empty (the CDK map at 1m). */
  readonly mapFile: string;
  readonly mapJson: string;
  cleanup(): void;
}

/** A fresh, migrated database on each server and a map file naming them. */
export async function freshLayout(servers: readonly TestPostgres[]): Promise<Layout> {
  const urls: Record<string, string> = {};
  for (const [index, server] of servers.entries()) {
    const url = await server.createDatabase();
    await migrate(url);
    urls[`primary-${index}`] = url;
  }
  const mapJson = JSON.stringify({
    logicalShards: 4096,
    primaries: Object.entries(urls).map(([name, url], index) => ({ name, url, shards: index === 0 ? [[0, 4095]] : [] })),
  });
  const dir = mkdtempSync(join(tmpdir(), 'graminsta-reshard-map-'));
  const mapFile = join(dir, 'map.json');
  writeFileSync(mapFile, mapJson);
  return { urls, mapFile, mapJson, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function query<T extends Record<string, unknown>>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  return withClient(url, async (client) => (await client.query<T>(sql, values)).rows);
}

/** Rows of `shards` per sharded table on one server. */
export async function countByTable(url: string, shards: readonly number[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [table, column] of Object.entries(HOME_COLUMN)) {
    const [row] = await query<{ n: string }>(url, `SELECT count(*) AS n FROM ${table} WHERE ((${column} >> 10) & 4095) = ANY($1::int[])`, [shards]);
    counts[table] = Number(row.n);
  }
  return counts;
}

/** Every row of `shards` in every sharded table, as sorted JSON lines (compares servers exactly). */
export async function snapshotRows(url: string, shards: readonly number[]): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const [table, column] of Object.entries(HOME_COLUMN)) {
    const rows = await query<{ row: string }>(url, `SELECT to_jsonb(t)::text AS row FROM ${table} t WHERE ((${column} >> 10) & 4095) = ANY($1::int[])`, [shards]);
    result[table] = rows.map((r) => r.row).sort();
  }
  return result;
}

/**
 * Seeds `usersPerShard` users on each of `shards` with photos, likes across
 * shards, follow edges (both tables, like the API writes them), sessions and
 * feed entries, straight in SQL on one server (all shards live there before a move).
 */
export async function seed(url: string, shards: readonly number[], usersPerShard: number): Promise<void> {
  await withClient(url, async (client) => {
    await client.query(`
      INSERT INTO users (id, username, password_hash)
      SELECT graminsta_next_id(s), format('u_%s_%s', s, n), 'scrypt$test'
        FROM unnest($1::int[]) AS s, generate_series(1, $2) AS n`, [shards, usersPerShard]);
    await client.query(`
      INSERT INTO photos (id, user_id, caption, content_type, size, status)
      SELECT graminsta_next_id(u.shard), u.id, format('photo %s of %s', n, u.username), 'image/jpeg', 1000 + n, 'ready'
        FROM users u, generate_series(1, 3) AS n`);
    await client.query(`
      INSERT INTO likes (photo_id, user_id)
      SELECT p.id, u.id FROM photos p JOIN LATERAL (SELECT id FROM users ORDER BY md5(p.id::text || id::text) LIMIT 2) u ON true
      ON CONFLICT DO NOTHING`);
    await client.query(`UPDATE photos p SET like_count = (SELECT count(*) FROM likes l WHERE l.photo_id = p.id)`);
    await client.query(`
      WITH pairs AS (SELECT a.id AS follower, b.id AS followee FROM users a JOIN LATERAL (SELECT id FROM users WHERE id <> a.id ORDER BY md5(a.id::text || id::text) LIMIT 3) b ON true)
      , f1 AS (INSERT INTO following (follower_id, followee_id) SELECT follower, followee FROM pairs)
      INSERT INTO followers (followee_id, follower_id) SELECT followee, follower FROM pairs`);
    await client.query(`
      INSERT INTO sessions (token_hash, user_id, expires_at)
      SELECT sha256(convert_to(u.id::text, 'UTF8')), u.id, now() + interval '30 days' FROM users u`);
    await client.query(`
      INSERT INTO feed_entries (user_id, photo_id, author_id, created_at)
      SELECT f.follower_id, p.id, p.user_id, p.created_at FROM following f JOIN photos p ON p.user_id = f.followee_id`);
  });
}

/** What a writer saw: acknowledged writes and the longest time one write waited on a frozen shard. */
export interface WriterReport {
  readonly inserted: ReadonlySet<string>;
  readonly deleted: ReadonlySet<string>;
  /** Acknowledged photo inserts per user ID (each also incremented users.photo_count). */
  readonly insertsPerUser: ReadonlyMap<string, number>;
  readonly acknowledged: number;
  readonly frozenRefusals: number;
  readonly movedRefusals: number;
  /** Longest wait of one write, first refusal → success (the write pause this client saw). */
  readonly longestPauseMs: number;
}

/**
 * Writes photos for the given users straight to PostgreSQL, routing the way
 * the API does: to the server it believes owns the shard; 55G01 (frozen) →
 * retry after a short wait; 55G02 (moved to X) → retry on X. Deletes some of
 * its own photos too, so the move must carry deletes. Runs until stopped.
 */
export function startWriter(urls: Record<string, string>, users: readonly { id: string; shard: number }[], initialOwner = 'primary-0') {
  const clients = new Map<string, Client>();
  const owner = new Map<number, string>();
  const inserted = new Set<string>();
  const deleted = new Set<string>();
  let acknowledged = 0;
  let frozenRefusals = 0;
  let movedRefusals = 0;
  let longestPauseMs = 0;
  let stopped = false;
  const photoShard = new Map<string, number>();
  const insertsPerUser = new Map<string, number>();

  const clientFor = async (name: string) => {
    let client = clients.get(name);
    if (!client) {
      client = new Client({ connectionString: urls[name] });
      await client.connect();
      clients.set(name, client);
    }
    return client;
  };
  const routed = async (shard: number, sql: string, values: unknown[]) => {
    let firstRefusal: number | undefined;
    for (;;) {
      const server = owner.get(shard) ?? initialOwner;
      try {
        const result = await (await clientFor(server)).query(sql, values);
        if (firstRefusal !== undefined) longestPauseMs = Math.max(longestPauseMs, Date.now() - firstRefusal);
        return result;
      } catch (error) {
        const { code, message } = error as { code?: string; message: string };
        if (code === '55G01') {
          frozenRefusals++;
          firstRefusal ??= Date.now();
          await new Promise((resolve) => setTimeout(resolve, 10));
        } else if (code === '55G02') {
          movedRefusals++;
          firstRefusal ??= Date.now();
          owner.set(shard, /moved to (\S+)/.exec(message)![1]);
        } else throw error;
      }
    }
  };
  const loop = (async () => {
    for (let n = 0; !stopped; n++) {
      const user = users[n % users.length];
      if (n % 4 === 3 && inserted.size > deleted.size) {
        const victim = [...inserted].find((id) => !deleted.has(id))!;
        const shard = photoShard.get(victim)!;
        const result = await routed(shard, 'DELETE FROM photos WHERE id = $1', [victim]);
        if (result.rowCount === 1) deleted.add(victim);
      } else {
        const result = await routed(user.shard, `INSERT INTO photos (id, user_id, caption, content_type, size) VALUES (graminsta_next_id($1), $2, 'written during the move', 'image/png', $3) RETURNING id`, [user.shard, user.id, n + 1]);
        inserted.add(result.rows[0].id);
        photoShard.set(result.rows[0].id, user.shard);
        await routed(user.shard, 'UPDATE users SET photo_count = photo_count + 1 WHERE id = $1', [user.id]);
        insertsPerUser.set(user.id, (insertsPerUser.get(user.id) ?? 0) + 1);
      }
      acknowledged++;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  return {
    async stop(): Promise<WriterReport> {
      stopped = true;
      await loop;
      await Promise.all([...clients.values()].map((c) => c.end()));
      return { inserted, deleted, insertsPerUser, acknowledged, frozenRefusals, movedRefusals, longestPauseMs };
    },
  };
}
