import { parseArgs, type ParseArgsConfig } from 'node:util';
import { distance } from 'fastest-levenshtein';
import { didYouMeanStage, isStageName, STAGE_NAMES, type StageName } from '../../stages/ladder';
import { CliError } from './cli-error';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'];

/**
 * The problems found in one command line. Every command collects all of
 * them before doing anything, so one run names every bad value (and a near
 * miss's likely meaning), not just the first.
 */
export class ArgProblems {
  readonly lines: string[] = [];

  add(problem: string): void {
    this.lines.push(problem);
  }

  /** One stage name given to `flag`, or undefined (and a problem) when it is not one. */
  stage(flag: string, raw: string | undefined): StageName | undefined {
    if (raw === undefined) return undefined;
    if (isStageName(raw)) return raw;
    this.add(`${flag}: unknown stage "${raw}"${didYouMeanStage(raw)}; expected one of ${STAGE_NAMES.join(', ')}`);
    return undefined;
  }

  /** A comma-separated list of stages (every stage when `raw` is undefined); each bad one is a problem. */
  stages(flag: string, raw: string | undefined): StageName[] {
    if (raw === undefined) return [...STAGE_NAMES];
    const parts = raw.split(',').map((part) => part.trim());
    if (parts.some((part) => part === '')) this.add(`${flag}: an empty stage in "${raw}"`);
    return parts.filter((part) => part !== '').flatMap((part) => this.stage(flag, part) ?? []);
  }

  /** A whole number within [min, max] (`fallback` when not given), or a problem naming the option. */
  integer(flag: string, raw: string | undefined, min: number, max: number, fallback?: number): number {
    if (raw === undefined && fallback !== undefined) return fallback;
    const value = raw !== undefined && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.add(`${flag} must be a whole number from ${min} to ${max}, not "${raw ?? ''}"`);
      return fallback ?? min;
    }
    return value;
  }

  /** Throws one CliError listing every problem, with the usage, when there is any. */
  throwIfAny(usage: string): void {
    if (this.lines.length > 0) throw new CliError(this.lines.join('\n'), 2, usage);
  }
}

/**
 * Parses a tool's arguments, one convention for every command:
 * - `--help` (or `-h`, when the options give it) anywhere prints the usage on
 *   stdout and returns undefined: the caller exits 0 and does nothing else;
 * - every unknown option (with the likely one), option without its value,
 *   value given to a flag and stray argument is listed, then whatever `check`
 *   finds in the values (stages, numbers), all in one CliError (exit 2)
 *   carrying the usage; nothing has run yet.
 */
export function parseCliArgs<const O extends Options>(
  argv: readonly string[],
  options: O,
  usage: string,
  check?: (values: Values<O>, problems: ArgProblems) => void,
): Values<O> | undefined {
  const withHelp: Options = { ...options, help: { type: 'boolean', short: 'h' } };
  const { values, tokens } = parseArgs({ args: [...argv], options: withHelp, strict: false, allowPositionals: true, tokens: true });
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return undefined;
  }
  const problems = new ArgProblems();
  const names = Object.keys(withHelp);
  for (const token of tokens) {
    if (token.kind === 'positional') {
      problems.add(`unexpected argument "${token.value}"`);
    } else if (token.kind === 'option') {
      const option = withHelp[token.name];
      if (!option) {
        const near = closestName(token.name, names);
        problems.add(`unknown option ${token.rawName}${near ? ` (did you mean --${near}?)` : ''}`);
      } else if (option.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('-')))) {
        problems.add(`${token.rawName} needs a value`);
      } else if (option.type === 'boolean' && token.inlineValue) {
        problems.add(`${token.rawName} takes no value`);
      }
    }
  }
  // A string option given without its value reads as `true`: leave it out of what `check` sees.
  for (const [name, option] of Object.entries(withHelp)) if (option.type === 'string' && typeof values[name] === 'boolean') delete values[name];
  const typed = values as Values<O>;
  check?.(typed, problems);
  problems.throwIfAny(usage);
  return typed;
}

/** A whole-number option within [min, max], or a CliError naming it. */
export function integerOption(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new CliError(`--${name} must be an integer from ${min} to ${max}, not "${raw}"`);
  return value;
}

/** The option name one or two edits from `name`, or one it starts or ends, if exactly one is. */
function closestName(name: string, names: readonly string[]): string | undefined {
  const close = names.filter((candidate) => distance(candidate, name) <= 2 || (name.length >= 3 && (candidate.startsWith(name) || name.startsWith(candidate))));
  return close.length === 1 ? close[0] : undefined;
}
