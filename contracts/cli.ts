/**
 * The command-line convention every command follows, the API's (`npm run
 * worker`, `npm run dev`) and the tools' alike (runbooks call both; test/tools/
 * cli-conventions.test.ts holds them to it):
 * - `--help` (or `-h`) prints the usage on stdout and exits 0, doing nothing;
 * - every bad argument is named at once (unknown option with the likely one,
 *   option without its value, stray argument, bad value), then the usage, and
 *   the command exits 2 before anything has run;
 * - any other failure prints `<command>: <first line>` and exits 1.
 *
 * tools/lib/cli-args.ts adds the tools' stage options on top. Imports only
 * node:util (Node's own argument parser).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * An error the user can fix (bad argument, unreadable file, missing
 * credentials). Commands print each line of its message as `<command>: <line>`,
 * without a stack trace, then the usage when it carries one, and exit with
 * `exitCode` (2 for bad arguments, by the convention of every command).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
    /** The command's usage, printed after the problems. */
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** What runCli prints for an error: `<tool>: <line>` per line of a CliError (then its usage), one line otherwise. */
export function formatCliError(tool: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof CliError)) return `${tool}: ${message.split('\n')[0]}\n`;
  const lines = message.split('\n').map((line) => `${tool}: ${line}`);
  return `${[...lines, ...(error.usage ? [error.usage] : [])].join('\n')}\n`;
}

/**
 * Runs a command's main function: its resolved number is the exit code; a
 * CliError prints its problems and exits with its code; anything else
 * prints the first line of its message (set DEBUG=1 for the stack) and exits 1.
 */
export function runCli(tool: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(formatCliError(tool, error));
      if (process.env.DEBUG && error instanceof Error && !(error instanceof CliError)) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error instanceof CliError ? error.exitCode : 1;
    },
  );
}

export type CliOptions = NonNullable<ParseArgsConfig['options']>;
export type CliValues<O extends CliOptions> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'];

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
 * Parses a command's arguments by the convention above, collecting problems
 * into `problems` (a subclass may add checks of its own for `check` to call):
 * `--help` anywhere prints the usage and returns undefined (the caller exits 0
 * and does nothing else); otherwise every problem of the line, then whatever
 * `check` finds in the values, is thrown as one CliError (exit 2) carrying the usage.
 */
export function parseCliArgsWith<const O extends CliOptions, P extends ArgProblems>(
  problems: P,
  argv: readonly string[],
  options: O,
  usage: string,
  check?: (values: CliValues<O>, problems: P) => void,
): CliValues<O> | undefined {
  const withHelp: CliOptions = { ...options, help: { type: 'boolean', short: 'h' } };
  const { values, tokens } = parseArgs({ args: [...argv], options: withHelp, strict: false, allowPositionals: true, tokens: true });
  if (values.help === true) {
    process.stdout.write(`${usage}\n`);
    return undefined;
  }
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
  const typed = values as CliValues<O>;
  check?.(typed, problems);
  problems.throwIfAny(usage);
  return typed;
}

/** `parseCliArgsWith` and the plain problems: for commands without stage options (the API's). */
export function parseCliArgs<const O extends CliOptions>(
  argv: readonly string[],
  options: O,
  usage: string,
  check?: (values: CliValues<O>, problems: ArgProblems) => void,
): CliValues<O> | undefined {
  return parseCliArgsWith(new ArgProblems(), argv, options, usage, check);
}

/** A whole-number option within [min, max], or a CliError naming it. */
export function integerOption(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new CliError(`--${name} must be an integer from ${min} to ${max}, not "${raw}"`);
  return value;
}

/** The option name one or two edits from `name`, or one it starts or ends, if exactly one is. */
function closestName(name: string, names: readonly string[]): string | undefined {
  const close = names.filter((candidate) => editDistance(candidate, name) <= 2 || (name.length >= 3 && (candidate.startsWith(name) || name.startsWith(candidate))));
  return close.length === 1 ? close[0] : undefined;
}

/** Levenshtein distance (insertions, deletions, substitutions), row by row. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}
