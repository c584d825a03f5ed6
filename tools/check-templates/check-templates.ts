import type { StackTemplates } from '../review/template';
import type { TemplateFinding } from './finding';
import { checkIntrinsicPlacement } from './intrinsic-placement';
import { validateWithRegistrySchemas } from './registry-schemas';

export interface StageCheck {
  readonly stage: string;
  readonly templates: number;
  readonly findings: readonly TemplateFinding[];
  readonly errors: number;
  readonly warnings: number;
}

/** Every stack of one stage: the registry schemas (and their data tables), then where its intrinsic functions sit. */
export function checkTemplates(stage: string, templates: StackTemplates): StageCheck {
  const findings = Object.entries(templates).flatMap(([stack, template]) => [
    ...validateWithRegistrySchemas(stack, template),
    ...checkIntrinsicPlacement(stack, template),
  ]);
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { stage, templates: Object.keys(templates).length, findings, errors, warnings: findings.length - errors };
}

/** One line per finding: `  error E3012 graminsta-App Resources.X.Properties.Y: message`. */
export function formatFinding(f: TemplateFinding): string {
  return `  ${f.severity} ${f.rule} ${f.stack} ${f.path || '(template)'}: ${f.message}`;
}
