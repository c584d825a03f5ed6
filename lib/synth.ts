import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStageApp, type BuildStageAppProps } from './build-app';

/** A CloudFormation template as JSON. */
export type Template = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type SynthOptions = Omit<BuildStageAppProps, 'stage' | 'outdir'>;

const cache = new Map<string, Record<string, Template>>();

/**
 * Synthesizes a stage and returns its templates by stack name. Results are
 * cached per process (keyed by stage and options), so tests and tools pay for
 * each stage's synthesis (and asset bundling) once.
 */
export function synthStage(stage: string, opts: SynthOptions = {}): Record<string, Template> {
  const key = JSON.stringify([stage, opts]);
  const hit = cache.get(key);
  if (hit) return hit;
  // A cloud assembly of our own, removed once the templates are read (CDK's default temp dir would stay).
  const outdir = mkdtempSync(join(tmpdir(), 'graminsta-synth-'));
  try {
    const { app, stacks } = buildStageApp({ ...opts, stage, outdir });
    const assembly = app.synth();
    const templates: Record<string, Template> = {};
    for (const stack of stacks) templates[stack.stackName] = assembly.getStackByName(stack.stackName).template;
    cache.set(key, templates);
    return templates;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
