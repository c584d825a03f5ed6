import { Client } from 'pg';
import { median } from './report/summarize';
import { FEED_SQL, FOLLOWEES_SQL } from './servers/user-view';

/** How PostgreSQL runs one query on the seeded data set. */
export interface QueryPlanCheck {
  readonly name: string;
  readonly sql: string;
  /** The plan's scan of photos: node type, index, rows read and thrown away by its filter. */
  readonly scan: string;
  readonly medianExecutionMs: number;
}

/**
 * The feed query the API ran before it went per-author (LATERAL on
 * photos_user_id_idx): PostgreSQL may walk photos_pkey newest-first and filter
 * out every photo by an account the reader does not follow. Kept in the report
 * next to the API's query to show what the change bought.
 */
export const PREVIOUS_FEED_SQL = `SELECT id, user_id, caption, content_type, size, status, like_count, created_at FROM photos
  WHERE user_id = ANY($1::bigint[]) AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3`;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Rows Removed by Filter'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

const flatten = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(flatten)];

async function check(db: Client, name: string, sql: string, params: unknown[], runs: number): Promise<QueryPlanCheck> {
  const times: number[] = [];
  let scan = '';
  for (let i = 0; i < runs; i++) {
    const { rows } = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
    const result = rows[0]['QUERY PLAN'][0];
    times.push(result['Execution Time']);
    const photoScans = flatten(result.Plan).filter((n: PlanNode) => n['Relation Name'] === 'photos' || (n['Index Name'] ?? '').startsWith('photos'));
    scan = photoScans
      .map((n) => `${n['Node Type']}${n['Index Name'] ? ` on ${n['Index Name']}` : ''}: ${(n['Actual Rows'] ?? 0) * (n['Actual Loops'] ?? 1)} rows kept, ${(n['Rows Removed by Filter'] ?? 0) * (n['Actual Loops'] ?? 1)} filtered out`)
      .join('; ');
  }
  return { name, sql, scan, medianExecutionMs: median(times.slice(1)) }; // the first run warms the cache
}

/** The API's feed query for the reader, and the previous one, on the seeded data (first page, 21 rows). */
export async function checkFeedPlans(databaseUrl: string, readerId: string, runs = 7): Promise<QueryPlanCheck[]> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const followees = (await db.query<{ followee_id: string }>(FOLLOWEES_SQL, [readerId])).rows.map((r) => r.followee_id);
    return [
      await check(db, 'feed statement as the API runs it on one server (PullFeed)', FEED_SQL, [readerId, null, 21], runs),
      await check(db, 'previous feed query (user_id = ANY, newest first)', PREVIOUS_FEED_SQL, [followees, null, 21], runs),
    ];
  } finally {
    await db.end();
  }
}
