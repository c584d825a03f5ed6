import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
let cleanupRegistered = false;

/**
 * Runs `build` once per process into a temporary directory (removed when the
 * process exits) and returns that directory. Synthesizing several stages in
 * one process (tests, the review tool) then pays for each esbuild run once.
 */
function buildOnce(name: string, build: (outDir: string) => void): string {
  const done = builds.get(name);
  if (done) return done;
  const dir = mkdtempSync(join(tmpdir(), `graminsta-${name}-`));
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    process.once('exit', () => {
      for (const d of builds.values()) rmSync(d, { recursive: true, force: true });
    });
  }
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
