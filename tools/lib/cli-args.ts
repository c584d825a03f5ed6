import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a tool's arguments strictly (unknown flags and positionals are
 * errors). A bad argument becomes a CliError carrying the usage text; `--help`
 * prints the usage and returns undefined, so the caller exits 0.
 */
export function parseCliArgs<const O extends Options>(argv: readonly string[], options: O, usage: string) {
  type Config = { args: string[]; options: O; strict: true; allowPositionals: false };
  let values: ReturnType<typeof parseArgs<Config>>['values'];
  try {
    values = parseArgs<Config>({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new CliError(`${(error as Error).message.split('\n')[0]}\n${usage}`);
  }
  if ((values as Record<string, unknown>).help === true) {
    process.stdout.write(`${usage}\n`);
    return undefined;
  }
  return values;
}

/** A whole-number option within [min, max], or a CliError naming it. */
export function integerOption(name: string, raw: string | undefined, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new CliError(`--${name} must be an integer from ${min} to ${max}, not "${raw}"`);
  return value;
}
