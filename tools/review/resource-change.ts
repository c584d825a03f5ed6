import type { LossyImpact } from '../../lib';

/** What deploying the new template does to one resource. */
export type Impact = 'add' | 'update' | LossyImpact;

/** Impacts that lose or detach the existing physical resource. */
export const LOSSY_IMPACTS: readonly Impact[] = ['replace', 'may-replace', 'destroy', 'orphan'];

export interface ResourceChange {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly impact: Impact;
  /** The resource spec flags the type as holding data. */
  readonly stateful: boolean;
  /** Why the impact is what it is, one short sentence each. */
  readonly why: readonly string[];
  /** For a replacement caused by another one: the chain of logical IDs that led here. */
  readonly cascadeFrom?: readonly string[];
  /** CDK construct path, when the template carries it. */
  readonly path?: string;
}

/** True when the change loses or detaches the existing physical resource. */
export function isLossy(change: Pick<ResourceChange, 'impact'>): boolean {
  return LOSSY_IMPACTS.includes(change.impact);
}
