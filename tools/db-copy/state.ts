import type { Client } from 'pg';
import { COPY_VERIFIED_TABLE, type TableRowCounts } from '../../contracts/stage-one-copy';
import { STATE_SCHEMA } from './catalog';

/**
 * The copy's bookkeeping on the target: one row per step ('schema',
 * 'post-data') and per table (its keyset position). A batch of rows and its
 * position commit in one transaction, so an interrupted run resumes exactly
 * where the last commit left off.
 */
export class CopyState {
  constructor(private readonly target: Client) {}

  static readonly TABLE = `${STATE_SCHEMA}.progress`;

  async ensure(): Promise<void> {
    await this.target.query(`CREATE SCHEMA IF NOT EXISTS ${STATE_SCHEMA}`);
    await this.target.query(`CREATE TABLE IF NOT EXISTS ${CopyState.TABLE} (
      item text PRIMARY KEY,
      last_key text[],
      rows_copied bigint NOT NULL DEFAULT 0,
      done boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  /** True when the target has the state table (a previous run of this tool). */
  async exists(): Promise<boolean> {
    const { rows } = await this.target.query<{ found: boolean }>(`SELECT to_regclass('${CopyState.TABLE}') IS NOT NULL AS found`);
    return rows[0].found;
  }

  async get(item: string): Promise<{ lastKey: string[] | null; rowsCopied: number; done: boolean } | undefined> {
    const { rows } = await this.target.query<{ last_key: string[] | null; rows_copied: string; done: boolean }>(
      `SELECT last_key, rows_copied, done FROM ${CopyState.TABLE} WHERE item = $1`,
      [item],
    );
    return rows[0] ? { lastKey: rows[0].last_key, rowsCopied: Number(rows[0].rows_copied), done: rows[0].done } : undefined;
  }

  /** Records progress; call inside the transaction that wrote the rows. */
  async record(item: string, update: { lastKey?: string[] | null; addRows?: number; done?: boolean }): Promise<void> {
    await this.target.query(
      `INSERT INTO ${CopyState.TABLE} AS p (item, last_key, rows_copied, done) VALUES ($1, $2, $3, $4)
       ON CONFLICT (item) DO UPDATE SET last_key = coalesce(EXCLUDED.last_key, p.last_key), rows_copied = p.rows_copied + EXCLUDED.rows_copied,
         done = EXCLUDED.done, updated_at = now()`,
      [item, update.lastKey ?? null, update.addRows ?? 0, update.done ?? false],
    );
  }

  /**
   * Records a verification that found every table equal, with the counts it
   * verified: the API at stage 10 compares them with the stage-1 database's
   * own record before it serves from this target (contracts/stage-one-copy.ts).
   */
  async recordVerified(tables: TableRowCounts): Promise<void> {
    await this.target.query(`CREATE SCHEMA IF NOT EXISTS ${STATE_SCHEMA}`);
    await this.target.query(`CREATE TABLE IF NOT EXISTS ${COPY_VERIFIED_TABLE} (
      verified_at timestamptz PRIMARY KEY DEFAULT clock_timestamp(),
      tables jsonb NOT NULL
    )`);
    await this.target.query(`INSERT INTO ${COPY_VERIFIED_TABLE} (tables) VALUES ($1)`, [JSON.stringify(tables)]);
  }
}
