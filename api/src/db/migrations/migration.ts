/** One versioned schema change. Versions only grow; a shipped migration is never edited. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Runs in one transaction together with the bookkeeping row. */
  readonly sql: string;
}
