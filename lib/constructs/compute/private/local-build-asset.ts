import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTempDirs } from '../../../stale-temp-dirs';

export interface LocalBuildAssetProps {
  /** Names the build, e.g. 'api'; one build per name runs per process. */
  readonly buildName: string;
  /** Writes the build output into `outDir`, synchronously. */
  readonly build: (outDir: string) => void;
  /**
   * Ship this already built directory instead of running `build`.
   * @default runs `build`
   */
  readonly prebuiltDir?: string;
}

const builds = new Map<string, string>();
const PREFIX = 'graminsta-build-';

/**
 * Runs `build` once per process into a temporary directory and returns it, so
 * synthesizing several stages in one process (tests, the review tool) pays for
 * each esbuild run once. The directory goes when the process exits, or at the
 * next build of a later process if this one was killed.
 */
function buildOnce(name: string, build: (outDir: string) => void): string {
  const done = builds.get(name);
  if (done) return done;
  if (builds.size === 0) {
    // Test workers are often killed rather than exiting, so an exit handler alone would leak them.
    removeStaleTempDirs(PREFIX);
    process.once('exit', () => {
      for (const d of builds.values()) rmSync(d, { recursive: true, force: true });
    });
  }
  const dir = join(tmpdir(), `${PREFIX}${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  builds.set(name, dir);
  try {
    build(dir);
  } catch (err) {
    builds.delete(name);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

/**
 * A zip asset built on this machine at synth time (no Docker). The asset hash
 * is the hash of the built files, so an unchanged build yields an unchanged
 * template, and a changed one changes only what references the asset.
 */
export class LocalBuildAsset extends Construct {
  public readonly asset: s3assets.Asset;

  constructor(scope: Construct, id: string, props: LocalBuildAssetProps) {
    super(scope, id);
    const path = props.prebuiltDir ?? buildOnce(props.buildName, props.build);
    this.asset = new s3assets.Asset(this, 'Resource', { path });
  }
}
