import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { API_ENVIRONMENT_VARIABLES } from '../../../contracts/api-environment';
import { parseRegionConfig, type RegionConfig } from '../../../contracts/region-config';
import { TEST_REGION_CONFIG_PARAMETER, type TwoRegions } from '../../support/two-regions';

const ROOT = join(__dirname, '..', '..', '..');

/** Tools still running: killed by `killTools()` (afterEach), so a failed wait never leaves one behind. */
const running = new Set<ChildProcess>();

export async function killTools(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  running.clear();
}

export interface ToolRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The real command (`tools/failover/cli.ts` through tsx, as `npm run failover`
 * runs it) as one child process: `node --import tsx`, not the `tsx` launcher,
 * whose own child would outlive a SIGKILL of the launcher.
 */
export interface RunningTool {
  readonly child: ChildProcess;
  readonly done: Promise<ToolRun>;
  /** Resolves when stderr shows `pattern` (a failpoint, a progress line). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/**
 * Starts `npm run failover -- <args>` with the target region's API
 * environment (the SSM stand-in signed for that region, the parameter name)
 * and the failover map as SHARD_MAP (`regions.failoverMap`), nothing of the
 * caller's database or AWS settings.
 */
export function startTool(regions: TwoRegions, region: string, args: readonly string[], extraEnv: Record<string, string> = {}): RunningTool {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !(API_ENVIRONMENT_VARIABLES as readonly string[]).includes(name) && !name.startsWith('AWS_')));
  const { PORT: _port, HOST: _host, REDIS_URL: _redis, ...toolEnv } = regions.env(region);
  const map = { SHARD_MAP: JSON.stringify(regions.failoverMap(region)) };
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tools', 'failover', 'cli.ts'), ...args], { cwd: ROOT, env: { ...inherited, ...toolEnv, ...map, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const watcher of [...watchers]) {
      if (watcher.pattern.test(stderr)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    }
  });
  const done = new Promise<ToolRun>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return {
    child,
    done,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        const timer = setTimeout(() => reject(new Error(`the tool did not print ${pattern} within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
        watchers.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void done.then(() => {
          clearTimeout(timer);
          if (!pattern.test(stderr)) reject(new Error(`the tool exited without printing ${pattern}:\n${stdout}\n${stderr}`));
        });
      }),
  };
}

/** Runs the tool to its end. */
export function runTool(regions: TwoRegions, region: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<ToolRun> {
  return startTool(regions, region, args, extraEnv).done;
}

/** The region configuration as `region`'s SSM holds it. */
export function configIn(regions: TwoRegions, region: string): RegionConfig {
  return parseRegionConfig(regions.ssm.value(region, TEST_REGION_CONFIG_PARAMETER)!);
}
