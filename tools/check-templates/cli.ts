import type { StageName } from '../../stages/ladder';
import { parseCliArgs } from '../lib/cli-args';
import { runCli } from '../../contracts/cli';
import { createProgress } from '../lib/progress';

const USAGE = `usage: npm run check:templates [-- --stage <stage>[,<stage>...]]
Synthesizes each stage (all seven by default) and checks every template offline: every resource against the
CloudFormation registry schemas and data tables (@aws/cloudformation-validate, as cdk synth runs it, plus the
gaps it leaves: read-only properties, enum misses, replica classes, replication-group node types), and every
intrinsic function's position against the CloudFormation documentation (Fn::GetStackOutput included).
exit codes: 0 no errors, 1 errors, 2 bad arguments`;

export async function main(argv: readonly string[]): Promise<number> {
  let stages: StageName[] = [];
  const args = parseCliArgs(argv, { stage: { type: 'string' } }, USAGE, (values, problems) => {
    stages = problems.stages('--stage', values.stage);
  });
  if (!args) return 0;

  // Loaded here so `--help` and argument errors stay instant (synthesis pulls in aws-cdk-lib, the checks a wasm validator).
  const { synthStage } = await import('../../lib');
  const { checkTemplates, formatFinding } = await import('./check-templates');
  const progress = createProgress();
  progress.start('check:templates (stages)', stages.length);
  let templates = 0;
  let errors = 0;
  let warnings = 0;
  for (const stage of stages) {
    progress.log(`stage ${stage}: synthesizing and checking...`);
    const result = checkTemplates(stage, synthStage(stage));
    templates += result.templates;
    errors += result.errors;
    warnings += result.warnings;
    const lines = [`stage ${stage}: ${result.templates} templates, ${result.errors} errors, ${result.warnings} warnings`, ...result.findings.map(formatFinding)];
    process.stdout.write(`${lines.join('\n')}\n`);
    progress.increment(1);
  }
  progress.stop();
  process.stdout.write(`check:templates: ${stages.length} stages, ${templates} templates: ${errors} errors, ${warnings} warnings\n`);
  return errors === 0 ? 0 : 1;
}

if (require.main === module) runCli('check:templates', () => main(process.argv.slice(2)));
