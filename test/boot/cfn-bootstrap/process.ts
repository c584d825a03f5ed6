import { spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProcessResult {
  readonly returncode: number;
  /** stdout and stderr interleaved, as cfn-bootstrap's ProcessHelper reads them. */
  readonly output: string;
}

export interface RunOptions {
  /** Replaces the environment entirely, as cfn-init's `env` does. @default the caller's environment */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

/**
 * Runs a command the way cfn-bootstrap does: a string through `/bin/sh -c`
 * (Python's `shell=True`), a list directly.
 */
export function runProcess(command: string | readonly string[], options: RunOptions = {}): ProcessResult {
  const [file, args] = typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command[0], command.slice(1)];
  // One file for both streams keeps their order, like ProcessHelper's stderr=STDOUT.
  const dir = mkdtempSync(join(tmpdir(), 'cfn-bootstrap-'));
  const outFile = join(dir, 'output');
  const fd = openSync(outFile, 'w');
  try {
    const result = spawnSync(file, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', fd, fd] });
    const output = readFileSync(outFile, 'utf8');
    if (result.error) return { returncode: 127, output: `${output}${result.error.message}` };
    return { returncode: result.status ?? 128 + 9, output };
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A log file in cfn-bootstrap's format: `2026-12-04 20:00:00,123 [INFO] message`. */
export class LogFile {
  constructor(
    private readonly path: string,
    private readonly echo: boolean,
  ) {}

  private write(level: string, message: string): void {
    const now = new Date();
    const stamp = `${now.toISOString().slice(0, 10)} ${now.toISOString().slice(11, 19)},${now.toISOString().slice(20, 23)}`;
    const line = `${stamp} [${level}] ${message}\n`;
    appendFileSync(this.path, line);
    if (this.echo) process.stdout.write(line);
  }

  info(message: string): void {
    this.write('INFO', message);
  }

  debug(message: string): void {
    this.write('DEBUG', message);
  }

  error(message: string): void {
    this.write('ERROR', message);
  }
}
