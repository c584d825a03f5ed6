/**
 * An error the user can fix (bad argument, unreadable file, missing
 * credentials). Tools print each line of its message as `<tool>: <line>`,
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
 * Runs a tool's main function: its resolved number is the exit code; a
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
