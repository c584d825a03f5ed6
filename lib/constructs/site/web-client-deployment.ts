import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { buildWebClient } from '../../../build/web-client';

/** Hashed file names change with their content, so browsers and CloudFront may keep them forever. */
export const HASHED_ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files: always revalidate it. */
export const INDEX_CACHE_CONTROL = 'no-cache';

export interface WebClientDeploymentProps {
  readonly bucket: s3.IBucket;
  /** Invalidated for `/index.html` after each deployment. */
  readonly distribution: cloudfront.IDistribution;
  /** Log group of the deployment helper function. */
  readonly logGroup: logs.ILogGroup;
  /**
   * A directory holding an already built client (`index.html` + `assets/`),
   * e.g. for tests. @default builds `web/` with `buildWebClient()` at synth time
   */
  readonly builtDir?: string;
}

/** Builds the web client with the local esbuild during synth (no Docker), copying a prebuilt one when given. */
class LocalWebBuild implements ILocalBundling {
  constructor(private readonly builtDir?: string) {}
  tryBundle(outputDir: string): boolean {
    if (this.builtDir) cpSync(this.builtDir, outputDir, { recursive: true });
    else buildWebClient(outputDir);
    return true;
  }
}

/**
 * Deploys the built web client to the site bucket in two passes: hashed
 * `assets/*` first (immutable, a year), then `index.html` (no-cache) with a
 * CloudFront invalidation of `/index.html`. Assets go first so a fresh
 * index.html never references a file that is not there yet; nothing is
 * pruned, so browsers still holding an older index.html find their assets.
 */
export class WebClientDeployment extends Construct {
  public readonly asset: s3assets.Asset;
  public readonly assets: s3deploy.BucketDeployment;
  public readonly index: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: WebClientDeploymentProps) {
    super(scope, id);
    this.asset = new s3assets.Asset(this, 'Build', {
      path: join(__dirname, '..', '..', '..', 'web'),
      // Hash the built output, not web/: the client also imports code outside web/.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: local bundling always succeeds (synth must not need Docker).
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
        local: new LocalWebBuild(props.builtDir),
      },
    });
    const source = s3deploy.Source.bucket(this.asset.bucket, this.asset.s3ObjectKey);
    const common = { sources: [source], destinationBucket: props.bucket, prune: false, memoryLimit: 512, logGroup: props.logGroup };
    this.assets = new s3deploy.BucketDeployment(this, 'HashedAssets', {
      ...common,
      exclude: ['*'],
      include: ['assets/*'],
      cacheControl: [s3deploy.CacheControl.fromString(HASHED_ASSET_CACHE_CONTROL)],
    });
    this.index = new s3deploy.BucketDeployment(this, 'Index', {
      ...common,
      exclude: ['assets/*'],
      cacheControl: [s3deploy.CacheControl.fromString(INDEX_CACHE_CONTROL)],
      distribution: props.distribution,
      distributionPaths: ['/index.html'],
    });
    this.index.node.addDependency(this.assets);
  }
}
