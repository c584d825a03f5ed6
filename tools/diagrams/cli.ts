import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STAGE_NAMES, type StageName } from '../../stages/ladder';
import type { StackTemplates } from '../review/template';
import { parseCliArgs } from '../lib/cli-args';
import { CliError, runCli } from '../../contracts/cli';
import { renderStagesDoc } from './stages-doc';

export const STAGES_DOC = join(__dirname, '../../docs/stages.md');

const USAGE = `usage: npm run diagrams [-- --check]
Synthesizes every stage and writes docs/stages.md (a Mermaid diagram per stage, generated from the templates).
  --check   write nothing; exit 1 when docs/stages.md is out of date
exit codes: 0 written (or up to date), 1 out of date (--check), 2 bad arguments`;

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv, { check: { type: 'boolean', default: false } }, USAGE);
  if (!args) return 0;
  const { synthStage } = await import('../../lib');
  const templates = {} as Record<StageName, StackTemplates>;
  for (const stage of STAGE_NAMES) {
    process.stderr.write(`diagrams: synthesizing stage ${stage}\n`);
    templates[stage] = synthStage(stage);
  }
  const text = renderStagesDoc(templates);
  if (args.check) {
    const current = readFileSync(STAGES_DOC, 'utf8');
    if (current !== text) throw new CliError('docs/stages.md is out of date: run npm run diagrams', 1);
    process.stderr.write('diagrams: docs/stages.md is up to date\n');
    return 0;
  }
  writeFileSync(STAGES_DOC, text);
  process.stderr.write('diagrams: wrote docs/stages.md\n');
  return 0;
}

if (require.main === module) runCli('diagrams', () => main(process.argv.slice(2)));
