import { ArgProblems, type CliOptions, type CliValues, parseCliArgsWith } from '../../contracts/cli';
import { didYouMeanStage, isStageName, STAGE_NAMES, type StageName } from '../../stages/ladder';

/** The shared argument problems (contracts/cli.ts) plus the tools' stage options. */
export class StageArgProblems extends ArgProblems {
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
}

/**
 * Parses a tool's arguments by the convention every command follows
 * (contracts/cli.ts: `--help`, every problem at once, exit 2), with the
 * tools' stage checks available to `check`.
 */
export function parseCliArgs<const O extends CliOptions>(
  argv: readonly string[],
  options: O,
  usage: string,
  check?: (values: CliValues<O>, problems: StageArgProblems) => void,
): CliValues<O> | undefined {
  return parseCliArgsWith(new StageArgProblems(), argv, options, usage, check);
}
