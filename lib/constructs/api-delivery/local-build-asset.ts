import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

export interface LocalBuildAssetProps {
  /** The source directory the build reads (CDK needs one for staging). */
  readonly sourceDir: string;
  /** Writes the build output into `outDir`, synchronously. */
  readonly build: (outDir: string) => void;
  /**
   * Ship this already built directory instead of running `build`.
   * @default runs `build`
   */
  readonly prebuiltDir?: string;
}

/**
 * A zip asset built on this machine at synth time (no Docker): CDK's local
 * bundling runs `build`, and the asset hash is the hash of the output, so an
 * unchanged build yields an unchanged template.
 */
export class LocalBuildAsset extends Construct {
  public readonly asset: s3assets.Asset;

  constructor(scope: Construct, id: string, props: LocalBuildAssetProps) {
    super(scope, id);
    if (props.prebuiltDir) {
      this.asset = new s3assets.Asset(this, 'Resource', { path: props.prebuiltDir });
      return;
    }
    this.asset = new s3assets.Asset(this, 'Resource', {
      path: props.sourceDir,
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: local bundling always succeeds or throws, so Docker is never needed.
        image: DockerImage.fromRegistry('local-bundling-only'),
        local: {
          tryBundle(outDir: string): boolean {
            props.build(outDir);
            return true;
          },
        },
      },
    });
  }
}
