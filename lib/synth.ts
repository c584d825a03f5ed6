import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_REGION_OPTIONS } from './app-options';
import { buildStageApp, type BuildStageAppProps } from './build-app';
import { stageSpec } from '../stages/ladder';

/** A CloudFormation template as JSON. */
export type Template = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type SynthOptions = Omit<BuildStageAppProps, 'stage' | 'outdir'>;

const cache = new Map<string, Record<string, Template>>();

/**
 * Optional directory shared by several processes of one run (Jest's workers:
 * see test/support/global-setup.ts) so that each stage is synthesized once per
 * run rather than once per test file. Never set for `cdk synth` or the tools.
 */
const SHARED_CACHE_ENV = 'GRAMINSTA_SYNTH_CACHE_DIR';

function synthesize(stage: string, opts: SynthOptions): Record<string, Template> {
  // A cloud assembly of our own, removed once the templates are read (CDK's default temp dir would stay).
  const outdir = mkdtempSync(join(tmpdir(), 'graminsta-synth-'));
  try {
    const { app, stacks } = buildStageApp({ ...opts, stage, outdir });
    const assembly = app.synth();
    const templates: Record<string, Template> = {};
    for (const stack of stacks) templates[stack.stackName] = assembly.getStackByName(stack.stackName).template;
    return templates;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Reads the stage from the shared directory, or synthesizes it there. A lock
 * file lets one process synthesize a stage while the others wait for it (up to
 * a bound, after which they synthesize it themselves rather than hang).
 */
function throughSharedCache(dir: string, key: string, make: () => Record<string, Template>): Record<string, Template> {
  const file = join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
  const lock = `${file}.lock`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
    } catch {
      if (Date.now() > deadline) return make();
      sleep(200);
      continue;
    }
    try {
      const templates = make();
      writeFileSync(`${file}.tmp`, JSON.stringify(templates));
      renameSync(`${file}.tmp`, file);
      return templates;
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}

/** A two-region stage without its regions gets `EXAMPLE_REGION_OPTIONS` (offline tools and tests only; bin/app.ts requires real ones). */
function withExampleRegions(stage: string, opts: SynthOptions): SynthOptions {
  if (opts.regions !== undefined || !stageSpec(stage).regions) return opts;
  return { ...EXAMPLE_REGION_OPTIONS, ...opts };
}

/**
 * Synthesizes a stage and returns its templates by stack name. Results are
 * cached per process (keyed by stage and options), and across processes when
 * GRAMINSTA_SYNTH_CACHE_DIR is set, so tests and tools pay for each stage's
 * synthesis (and asset bundling) once.
 */
export function synthStage(stage: string, given: SynthOptions = {}): Record<string, Template> {
  const opts = withExampleRegions(stage, given);
  const key = JSON.stringify([stage, opts]);
  const hit = cache.get(key);
  if (hit) return hit;
  const shared = process.env[SHARED_CACHE_ENV];
  const templates = shared ? throughSharedCache(shared, key, () => synthesize(stage, opts)) : synthesize(stage, opts);
  cache.set(key, templates);
  return templates;
}
