/** A rule a stage change breaks; any problem makes the change unsafe. */
export type Rule =
  | 'stateful-at-risk'
  | 'retention-policy'
  | 'export-removed'
  | 'export-changed'
  | 'stale-reference'
  | 'world-open-port'
  | 'downgrade';

export interface Problem {
  readonly rule: Rule;
  readonly stack: string;
  readonly logicalId?: string;
  readonly message: string;
}
