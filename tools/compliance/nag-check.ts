import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StageSpec } from '../../stages/ladder';
import { acknowledgedRuleIds, acknowledgementsFor, findAcknowledged, type Acknowledgement } from '../../lib';

export interface NagFinding {
  readonly rule: string;
  readonly path: string;
}

export interface NagCheck {
  /** Findings no acknowledgement covers: synthesis fails on these. */
  readonly unacknowledged: readonly NagFinding[];
  /** Acknowledgements for this stage that no finding needs (stale, or too broad a list of stages). */
  readonly unused: readonly Acknowledgement[];
  /** Acknowledgements for this stage whose construct does not exist (renamed?). */
  readonly missing: readonly Acknowledgement[];
}

interface Violation {
  readonly ruleName: string;
  readonly violatingResources: readonly { readonly constructPath: string }[];
}

/** The same pack with every acknowledgement ignored (its check is private): what each acknowledgement is for. */
function unacknowledgedChecks(): AwsSolutionsChecks {
  const pack = new AwsSolutionsChecks();
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return pack;
}

function run(pack: AwsSolutionsChecks, app: App): Violation[] {
  return (pack as unknown as { validateScope(scope: App): { violations: Violation[] } }).validateScope(app).violations;
}

/** Runs cdk-nag's AwsSolutions pack on a built (and synthesized) stage app. */
export function checkNag(app: App, spec: StageSpec): NagCheck {
  const unacknowledged = run(new AwsSolutionsChecks(), app).flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath })));
  const raw = run(unacknowledgedChecks(), app);
  const unused: Acknowledgement[] = [];
  const missing: Acknowledgement[] = [];
  for (const ack of acknowledgementsFor(spec)) {
    const node = findAcknowledged(app, ack);
    if (!node) {
      missing.push(ack);
      continue;
    }
    const path = node.node.path;
    const ids = acknowledgedRuleIds(app, ack, node);
    const used = raw.some((v) => ids.includes(v.ruleName) && v.violatingResources.some((r) => r.constructPath === path || r.constructPath.startsWith(`${path}/`)));
    if (!used) unused.push(ack);
  }
  return { unacknowledged, unused, missing };
}
