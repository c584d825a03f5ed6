/**
 * An error the user can fix (bad argument, unreadable file, missing
 * credentials). Tools print its message on one line, without a stack trace,
 * and exit with `exitCode`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Runs a tool's main function: its resolved number is the exit code; a
 * CliError prints `<tool>: <message>` and exits with its code; anything else
 * prints the first line of its message (set DEBUG=1 for the stack) and exits 1.
 */
export function runCli(tool: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      // A CliError may carry a usage text after its first line; other errors print one line.
      process.stderr.write(`${tool}: ${error instanceof CliError ? message : message.split('\n')[0]}\n`);
      if (process.env.DEBUG && error instanceof Error && !(error instanceof CliError)) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error instanceof CliError ? error.exitCode : 1;
    },
  );
}
