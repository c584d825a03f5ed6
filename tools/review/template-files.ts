import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CliError } from '../../contracts/cli';
import type { CfnTemplate, StackTemplates } from './template';

const SUFFIX = '.template.json';

function parse(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read template ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`template ${file} is not valid JSON (YAML templates are not supported; CDK writes JSON)`);
  }
}

function isTemplate(value: unknown): value is CfnTemplate {
  return typeof value === 'object' && value !== null && typeof (value as CfnTemplate).Resources === 'object';
}

/**
 * Reads templates to compare against: a directory of `<stack>.template.json`
 * files (a `cdk.out` directory, or files saved from CloudFormation), a single
 * `<stack>.template.json`, or one JSON file mapping stack names to templates.
 */
export function readTemplates(path: string): StackTemplates {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw new CliError(`cannot read templates from ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (isDirectory) {
    const files = readdirSync(path).filter((name) => name.endsWith(SUFFIX)).sort();
    if (files.length === 0) throw new CliError(`no *${SUFFIX} files in ${path}`);
    return Object.fromEntries(files.map((name) => [name.slice(0, -SUFFIX.length), checked(join(path, name), parse(join(path, name)))]));
  }
  const value = parse(path);
  if (isTemplate(value)) return { [basename(path).replace(/(\.template)?\.json$/, '')]: value };
  if (typeof value === 'object' && value !== null && Object.keys(value).length > 0 && Object.values(value).every(isTemplate)) {
    return value as StackTemplates;
  }
  throw new CliError(`${path} is neither a CloudFormation template nor a map of stack names to templates`);
}

function checked(file: string, value: unknown): CfnTemplate {
  if (!isTemplate(value)) throw new CliError(`${file} is not a CloudFormation template (no Resources section)`);
  return value;
}
