import { parseArgs } from 'node:util';
import { STAGE_NAMES, isStageName, type StageName } from '../../stages/ladder';
import { CliError, runCli } from '../lib/cli-error';
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
  let args;
  try {
    args = parseArgs({ args: [...argv], options: { stage: { type: 'string' }, 'no-guard': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } }, strict: true }).values;
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]}\n${USAGE}`);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stages = (args.stage ? args.stage.split(',') : [...STAGE_NAMES]).map((s) => s.trim());
  const unknown = stages.filter((s) => !isStageName(s));
  if (unknown.length > 0) throw new CliError(`unknown stage "${unknown[0]}"; expected one of ${STAGE_NAMES.join(', ')}`);
  let ok = true;
  for (const stage of stages as StageName[]) {
    process.stderr.write(`compliance: stage ${stage}...\n`);
    const result = checkStageCompliance(stage, { guard: !args['no-guard'] });
    print(result);
    ok &&= result.ok;
  }
  return ok ? 0 : 1;
}

if (require.main === module) runCli('compliance', () => main(process.argv.slice(2)));
