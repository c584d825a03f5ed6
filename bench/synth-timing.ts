import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXAMPLE_REGION_OPTIONS } from '../lib/app-options';
import { stageSpec, STAGE_NAMES } from '../stages/ladder';

// `npx tsx bench/synth-timing.ts [--cli] [--compare-validation] [--out bench/results/synth.json]`: how long synthesis takes and what dominates.
// 1. All seven stages in one process (bench/synth-all.ts) under a V8 CPU profile; every sample is put in one bucket
//    by its stack: esbuild bundling (blocking child processes), module loading, app.synth() split into aspects
//    (cdk-nag), policy validation (cfn-guard) and templates/JSON/assets, construct tree (the rest), idle/GC.
// 2. --cli: `npx cdk synth -c stage=<each>` as a user runs it (CLI start-up, tsx compile, one process per stage).

const ROOT = join(__dirname, '..');
const seconds = (since: number) => (performance.now() - since) / 1000;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export type Bucket =
  | 'esbuild bundling'
  | 'module loading'
  | 'synth: aspects (cdk-nag, compliance)'
  | 'synth: policy validation (cfn-guard)'
  | 'synth: built-in CloudFormation validation (WASM)'
  | 'synth: templates, JSON, assets'
  | 'construct tree'
  | 'idle / GC';

const MAIN_SCRIPT = /synth-all\.ts$/;
const REQUIRE_FRAMES = ['Module._load', 'Module._compile', 'Module.require', 'require', 'compileFunction', 'wrapSafe', 'Module._extensions..js'];

/**
 * The bucket of one sample from its stack (leaf first). Only the frames below
 * the main script count: the whole script itself runs inside the loader's
 * Module._compile. Samples outside the script are start-up (module loading).
 */
export function classify(stack: ReadonlyArray<{ functionName: string; url: string }>): Bucket {
  const leaf = stack[0];
  if (leaf && ['(idle)', '(garbage collector)', '(program)'].includes(leaf.functionName)) return 'idle / GC';
  const main = stack.findIndex((f) => MAIN_SCRIPT.test(f.url));
  if (main < 0) return 'module loading';
  const inner = stack.slice(0, main);
  if (inner.some((f) => /[\\/]esbuild[\\/]/.test(f.url) || ['buildApiBundle', 'buildWebClient', 'tryBundle'].includes(f.functionName))) return 'esbuild bundling';
  if (inner.some((f) => REQUIRE_FRAMES.includes(f.functionName))) return 'module loading';
  if (inner.some((f) => f.functionName === 'synth' && /aws-cdk-lib/.test(f.url))) {
    if (inner.some((f) => /@aws[\\/]cloudformation-validate|cloudformation-validate-plugin/.test(f.url))) return 'synth: built-in CloudFormation validation (WASM)';
    if (inner.some((f) => /cdk-validator-cfnguard/.test(f.url))) return 'synth: policy validation (cfn-guard)';
    if (inner.some((f) => /cdk-nag|[\\/]compliance[\\/]/.test(f.url) || f.functionName === 'invokeAspects')) return 'synth: aspects (cdk-nag, compliance)';
    return 'synth: templates, JSON, assets';
  }
  return 'construct tree';
}

export function bucketProfile(profile: CpuProfile): Record<Bucket, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totals: Record<Bucket, number> = {
    'esbuild bundling': 0,
    'module loading': 0,
    'synth: aspects (cdk-nag, compliance)': 0,
    'synth: policy validation (cfn-guard)': 0,
    'synth: built-in CloudFormation validation (WASM)': 0,
    'synth: templates, JSON, assets': 0,
    'construct tree': 0,
    'idle / GC': 0,
  };
  const cache = new Map<number, Bucket>();
  profile.samples.forEach((id, i) => {
    let bucket = cache.get(id);
    if (!bucket) {
      const stack: ProfileNode['callFrame'][] = [];
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) stack.push(byId.get(n)!.callFrame);
      bucket = classify(stack);
      cache.set(id, bucket);
    }
    totals[bucket] += (profile.timeDeltas[i] ?? 0) / 1e6;
  });
  return totals;
}

function profiledInProcess(dir: string, env: Record<string, string> = {}) {
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--require', 'tsx/cjs', join(__dirname, 'synth-all.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  const wallSeconds = seconds(started);
  if (run.status !== 0) throw new Error(`synth-all failed: ${run.stderr.trim().split('\n').slice(-5).join('\n')}`);
  const timings = JSON.parse(run.stdout.trim().split('\n').pop()!) as { totalSeconds: number; stages: Array<{ stage: string; constructSeconds: number; synthSeconds: number }> };
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
  const buckets = bucketProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
  return { wallSeconds, ...timings, buckets };
}

function viaCli(outRoot: string) {
  return STAGE_NAMES.map((stage) => {
    const started = performance.now();
    // 10m needs its regions, domain and zone: the example values the tests use.
    const regions = stageSpec(stage).regions ? Object.entries(EXAMPLE_REGION_OPTIONS).flatMap(([key, value]) => ['-c', `${key}=${value}`]) : [];
    const run = spawnSync('npx', ['cdk', 'synth', '-c', `stage=${stage}`, ...regions, '-o', join(outRoot, `cli-${stage}`), '--quiet', '--no-notices', '--no-version-reporting'], {
      cwd: ROOT,
      encoding: 'utf8',
      // Offline: no telemetry, no version check, no credentials.
      env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_DISABLE_VERSION_CHECK: 'true', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    const s = seconds(started);
    process.stderr.write(`cdk synth -c stage=${stage.padEnd(5)} ${s.toFixed(1)} s${run.status === 0 ? '' : ` FAILED: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`}\n`);
    return { stage, seconds: s, ok: run.status === 0 };
  });
}

function main(): void {
  const { values } = parseArgs({
    options: { cli: { type: 'boolean', default: false }, 'compare-validation': { type: 'boolean', default: false }, out: { type: 'string' } },
    strict: true,
  });
  const tmp = mkdtempSync(join(tmpdir(), 'synth-timing-'));
  try {
    process.stderr.write('synthesizing all seven stages in one process under a CPU profile\n');
    const inProcess = profiledInProcess(join(tmp, 'default'));
    // CDK_VALIDATION=false turns off aws-cdk-lib's built-in template validation (cdk-nag still runs).
    const withoutBuiltinValidation = values['compare-validation'] ? profiledInProcess(join(tmp, 'no-validation'), { CDK_VALIDATION: 'false' }) : undefined;
    const cli = values.cli ? viaCli(tmp) : [];
    const report = { generatedAt: new Date().toISOString(), loadAverage: loadavg(), inProcess, withoutBuiltinValidation, cli, cliTotalSeconds: cli.reduce((s, c) => s + c.seconds, 0) };
    console.log(JSON.stringify(report, null, 2));
    if (values.out) {
      mkdirSync(dirname(values.out), { recursive: true });
      writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main();
