import { SingleBar, Presets } from 'cli-progress';

/** Progress of a long-running copy: a bar on a terminal, one line per step otherwise (CI logs). */
export interface Progress {
  start(label: string, total: number): void;
  increment(by: number): void;
  stop(): void;
  /** A message between bars. */
  log(line: string): void;
}

export interface ProgressOptions {
  /** Where to write. @default process.stderr */
  readonly stream?: NodeJS.WriteStream;
  /** Print nothing (tests). @default false */
  readonly silent?: boolean;
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.silent) return { start: () => {}, increment: () => {}, stop: () => {}, log: () => {} };
  if (stream.isTTY) {
    let bar: SingleBar | undefined;
    return {
      start(label, total) {
        bar = new SingleBar({ format: `${label} [{bar}] {percentage}% {value}/{total}`, stream }, Presets.shades_classic);
        bar.start(total, 0);
      },
      increment: (by) => bar?.increment(by),
      stop() {
        bar?.stop();
        bar = undefined;
      },
      log: (line) => stream.write(`${line}\n`),
    };
  }
  // Without a terminal: a line at start, at each tenth of the way, and at the end.
  let label = '';
  let total = 0;
  let done = 0;
  let lastTenth = -1;
  return {
    start(name, count) {
      label = name;
      total = count;
      done = 0;
      lastTenth = -1;
      stream.write(`${label}: 0/${total}\n`);
    },
    increment(by) {
      done += by;
      const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (tenth > lastTenth && done < total) {
        lastTenth = tenth;
        stream.write(`${label}: ${done}/${total}\n`);
      }
    },
    stop: () => stream.write(`${label}: ${done}/${total} done\n`),
    log: (line) => stream.write(`${line}\n`),
  };
}
