import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Client } from 'pg';
import { seedDatabase } from '../../bench/seed/seed-database';
import { NO_CURSOR } from '../../contracts/ids';
import { startPostgres, type TestPostgres } from '../support/postgres';

/**
 * Every SELECT the API sends to its tables (and every WITH … SELECT) is found in
 * api/src (string and template literals), planned on the seeded schema at small size, and must
 * reach each table through an index: with sequential scans priced out
 * (enable_seqscan = off), a plan that still scans a table sequentially has no
 * usable index. New queries in the API are picked up without touching this test.
 */
const API_SRC = join(__dirname, '..', '..', 'api', 'src');
const TABLES = ['users', 'photos', 'following', 'followers', 'likes', 'sessions', 'feed_entries'];
/**
 * Queries allowed to walk an index without an index condition, each with why.
 * Matched on the exact SQL: when the query changes, the strict check applies again.
 */
const KNOWN_INDEX_WALKS: Record<string, string> = {};
/** Queries allowed to scan a table sequentially, each with why (matched on the exact SQL, like KNOWN_INDEX_WALKS). */
const KNOWN_SEQ_SCANS: Record<string, string> = {
  'SELECT id FROM users WHERE follower_count > $1':
    'CelebritySet: every server once per FEED_CELEBRITY_REFRESH_MS per API process, never per request; an index on follower_count would cost every follow its HOT update',
};
/** Interpolations the repositories use, with their values. */
const PHOTO_COLUMNS = ['id', 'user_id', 'caption', 'content_type', 'size', 'status', 'like_count', 'created_at'];
const FRAGMENTS: Record<string, string> = {
  COLUMNS: PHOTO_COLUMNS.join(', '),
  "photoColumns('p')": PHOTO_COLUMNS.map((c) => `p.${c}`).join(', '),
  "photoColumns('photos')": PHOTO_COLUMNS.map((c) => `photos.${c}`).join(', '),
  NO_CURSOR,
};
const normalized = (sql: string) => sql.replace(/\s+/g, ' ').trim();
/** A read: a SELECT, or a WITH whose parts only select (a data-modifying WITH is a write, planned per row by key). */
const READ = /^\s*(SELECT\b|WITH\b(?![\s\S]*\b(INSERT|UPDATE|DELETE)\b))/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'migrations' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

interface FoundQuery {
  readonly where: string;
  readonly sql: string;
}

function apiSelects(): FoundQuery[] {
  const found: FoundQuery[] = [];
  for (const file of sourceFiles(API_SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/`([^`]*)`|'((?:[^'\\\n]|\\.)*)'/g)) {
      const literal = match[1] ?? match[2];
      if (!READ.test(literal)) continue;
      if (!TABLES.some((t) => new RegExp(`\\b(FROM|JOIN)\\s+${t}\\b`, 'i').test(literal))) continue;
      const sql = literal.replace(/\$\{([^}]+)\}/g, (whole, name: string) => FRAGMENTS[name] ?? whole);
      const line = text.slice(0, match.index).split('\n').length;
      found.push({ where: `${relative(API_SRC, file)}:${line}`, sql });
    }
  }
  return found;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describe('every API query on the seeded schema uses an index', () => {
  let pg: TestPostgres;
  let db: Client;
  const queries = apiSelects();

  beforeAll(async () => {
    pg = await startPostgres();
    await seedDatabase(pg.url, { users: 1000, photos: 10_000, follows: 20_000 });
    db = new Client({ connectionString: pg.url });
    await db.connect();
    // The seed builds the precomputed feeds of the reader and every 10th user only; give every user
    // theirs, as fan-out on write would, so the plans are those of a full feed_entries table.
    await db.query(
      `INSERT INTO feed_entries (user_id, photo_id, author_id, created_at)
       SELECT f.follower_id, p.id, p.user_id, p.created_at FROM following f JOIN photos p ON p.user_id = f.followee_id ON CONFLICT DO NOTHING`,
    );
    await db.query('ANALYZE feed_entries');
    await db.query('SET enable_seqscan = off');
  });
  afterAll(async () => {
    await db?.end();
    await pg?.stop();
  });

  test('the API has list queries to check (feed, a user\'s photos, followees)', () => {
    const all = queries.map((q) => q.sql).join('\n');
    expect(all).toMatch(/FROM photos WHERE user_id = \$1/);
    expect(all).toMatch(/CROSS JOIN LATERAL \(SELECT .* FROM photos WHERE photos\.user_id = a\.user_id/);
    expect(all).toMatch(/FROM following WHERE follower_id = \$1/);
    for (const q of queries) expect(q.sql).not.toMatch(/\$\{/); // an unknown interpolation: add it to FRAGMENTS
  });

  test.each(apiSelects().map((q) => [q.where, q.sql]))('%s reaches its tables through an index', async (_where, sql) => {
    const { rows } = await db.query(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${sql}`);
    const plan = rows[0]['QUERY PLAN'][0].Plan as PlanNode;
    const seqScans = nodes(plan).filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']);
    if (KNOWN_SEQ_SCANS[normalized(sql)] === undefined) expect(seqScans).toEqual([]);
    // With sequential scans priced out, the planner may walk a whole index instead: that is a scan too.
    const fullIndexScans = nodes(plan).filter((n) => /Index/.test(n['Node Type']) && !n['Index Cond']).map((n) => n['Index Name']);
    if (KNOWN_INDEX_WALKS[normalized(sql)] === undefined) expect(fullIndexScans).toEqual([]);
    // The API prepares its statements (DatabaseNode), so PostgreSQL may run this very generic plan: an
    // optional bound written `$n IS NULL OR col < $n` is then a filter, and a deep cursor walks the index
    // from the top (9,764 rows for one page of a 10,000-photo account, measured). COALESCE keeps it an index condition.
    const optionalBounds = nodes(plan).filter((n) => /Index/.test(n['Node Type']) && /\$\d+ IS NULL\) OR/.test(n.Filter ?? '')).map((n) => `${n['Index Name']}: ${n.Filter}`);
    expect(optionalBounds).toEqual([]);
  });

  test("a user's photos come newest first straight from the index, with no sort", async () => {
    const listByUser = queries.find((q) => /FROM photos WHERE user_id = \$1 .*ORDER BY id DESC LIMIT/s.test(q.sql))!;
    const { rows } = await db.query(`EXPLAIN (GENERIC_PLAN, FORMAT JSON) ${listByUser.sql}`);
    const types = nodes(rows[0]['QUERY PLAN'][0].Plan as PlanNode).map((n) => n['Node Type']);
    expect(types).not.toContain('Sort');
    expect(types.some((t) => t.startsWith('Index'))).toBe(true);
  });
});
