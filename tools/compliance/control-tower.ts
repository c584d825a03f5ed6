import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageName } from '../../stages/ladder';
import type { StackTemplates } from '../review/template';
import { exceptionsFor, ruleFileOf } from './guard-exceptions';

export interface GuardViolation {
  /** e.g. CT.S3.PR.10 */
  readonly control: string;
  readonly rule: string;
  readonly description: string;
  readonly stack: string;
  readonly logicalId: string;
}

/**
 * Runs the AWS Control Tower rules bundled with @cdklabs/cdk-validator-cfnguard
 * (its own cfn-guard binary, offline) on a stage's templates, minus the
 * exceptions for that stage. Returns every remaining violation.
 */
export function runControlTowerRules(stage: StageName, templates: StackTemplates): GuardViolation[] {
  const dir = mkdtempSync(join(tmpdir(), 'graminsta-guard-'));
  try {
    const paths = Object.entries(templates).map(([stack, template]) => {
      const path = join(dir, `${stack}.template.json`);
      writeFileSync(path, JSON.stringify(template));
      return path;
    });
    const validator = new CfnGuardValidator({ disabledRules: exceptionsFor(stage).map((e) => ruleFileOf(e.control)), maxBuffer: 64 * 1024 * 1024 });
    // validate() takes only template paths from its context.
    const report = validator.validate({ templatePaths: paths } as unknown as Parameters<CfnGuardValidator['validate']>[0]);
    return report.violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        control: /\[(CT\.[A-Z0-9.]+)\]/.exec(violation.description ?? '')?.[1] ?? 'unknown',
        rule: violation.ruleName,
        description: (violation.description ?? '').split('\n')[0],
        stack: resource.templatePath.split('/').pop()!.replace('.template.json', ''),
        logicalId: resource.resourceLogicalId,
      })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
