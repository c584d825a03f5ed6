import { Presets, SingleBar } from 'cli-progress';
import type { SeedProgress } from './seed-database';

/** A progress bar per phase on stderr, with rows/s; a line every few seconds when stderr is not a terminal. */
export function progressBar(): SeedProgress {
  let bar: SingleBar | undefined;
  let phaseStarted = 0;
  let done = 0;
  const finish = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    phase(name, total) {
      finish();
      phaseStarted = performance.now();
      done = 0;
      bar = new SingleBar(
        {
          format: `${name.padEnd(16)} [{bar}] {percentage}% | {value}/{total} | {rate} rows/s | {duration}s`,
          noTTYOutput: true,
          notTTYSchedule: 5000,
          stream: process.stderr,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0, { rate: 0 });
    },
    rows(n) {
      done += n;
      const elapsed = (performance.now() - phaseStarted) / 1000;
      bar?.update(done, { rate: elapsed > 0 ? Math.round(done / elapsed) : 0 });
    },
    done: finish,
  };
}
