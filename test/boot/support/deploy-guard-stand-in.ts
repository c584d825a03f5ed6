import { decide } from '../../../lambda/deploy-guard/decision';

/** A template as JSON (the harnesses read templates untyped). */
type Template = Record<string, any>;

/**
 * What a stack's deploy guard (lambda/deploy-guard) answers CloudFormation when a
 * deploy takes the stack from its deployed template to `next` with the deploy's
 * `-c confirm`: undefined when it agrees, else the one-line reason `cdk deploy`
 * prints. The guard's rule itself, fed the properties the templates give it.
 */
export function deployGuardRefusal(deployed: Template | undefined, next: Template, confirm: string | undefined): string | undefined {
  const guardOf = (template: Template | undefined) => Object.values<Template>(template?.Resources ?? {}).find((resource) => resource.Type === 'Custom::DeployGuard')?.Properties;
  const guard = guardOf(next);
  if (!guard) return undefined;
  const decision = decide({ stack: guard.StackLabel, from: guardOf(deployed)?.Stage, to: guard.Stage, confirm, ladder: guard.Ladder, runbookSteps: guard.RunbookSteps });
  return decision.allowed ? undefined : decision.message;
}
