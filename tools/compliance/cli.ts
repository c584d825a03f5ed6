import type { StageName } from '../../stages/ladder';
import { parseCliArgs } from '../lib/cli-args';
import { runCli } from '../../contracts/cli';
import { checkStageCompliance, type StageCompliance } from './stage-compliance';

const USAGE = `usage: npm run compliance [-- --stage <stage>[,<stage>...]] [--no-guard]
Runs cdk-nag AwsSolutions (with the acknowledgements in lib/compliance/acknowledgements.ts), the AWS Control Tower
cfn-guard rules (exceptions in tools/compliance/guard-exceptions.ts) and the IMDSv2 check on each stage, offline.
exit codes: 0 every stage passes, 1 findings, 2 bad arguments`;

function print(result: StageCompliance): void {
  const lines = [`stage ${result.stage}: ${result.ok ? 'ok' : 'FINDINGS'}`];
  for (const f of result.nag.unacknowledged) lines.push(`  cdk-nag ${f.rule} at ${f.path}`);
  for (const a of result.nag.unused) lines.push(`  unused acknowledgement ${a.rule} at ${a.stack}/${a.path}`);
  for (const a of result.nag.missing) lines.push(`  acknowledgement for a construct that does not exist: ${a.stack}/${a.path} (${a.rule})`);
  for (const v of result.guard) lines.push(`  cfn-guard ${v.control} (${v.rule}) at ${v.stack}/${v.logicalId}`);
  for (const f of result.imdsv2) lines.push(`  IMDSv2: ${f.stack}/${f.logicalId}: ${f.message}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function main(argv: readonly string[]): Promise<number> {
  let stages: StageName[] = [];
  const args = parseCliArgs(argv, { stage: { type: 'string' }, 'no-guard': { type: 'boolean', default: false } }, USAGE, (values, problems) => {
    stages = problems.stages('--stage', values.stage);
  });
  if (!args) return 0;
  let ok = true;
  for (const stage of stages) {
    process.stderr.write(`compliance: stage ${stage}...\n`);
    const result = checkStageCompliance(stage, { guard: !args['no-guard'] });
    print(result);
    ok &&= result.ok;
  }
  return ok ? 0 : 1;
}

if (require.main === module) runCli('compliance', () => main(process.argv.slice(2)));
