import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Signal } from '../cfn-bootstrap/aws-stand-in';

export type { Signal };

interface AssetManifest {
  readonly files?: Record<string, { source: { path: string; packaging?: string }; destinations: Record<string, { bucketName: string; objectKey: string }> }>;
}

/**
 * The host side of /run/aws-stand-in (see cfn-bootstrap/aws-stand-in.ts for the layout): the
 * test publishes what CloudFormation, S3 and the web would serve the instance, and reads back
 * the signals the instance sends.
 */
export class AwsStandInDir {
  public constructor(
    public readonly dir: string,
    private readonly region: string,
    private readonly accountId: string,
  ) {
    for (const d of ['stacks', 'objects', 'signals']) mkdirSync(join(dir, d), { recursive: true });
    this.setCfnHupMinute(60);
  }

  /** What DescribeStackResource returns for the resource, replaced atomically (as a stack update does). */
  public publishResource(stack: string, logicalId: string, metadata: Record<string, unknown>, status = 'CREATE_COMPLETE'): void {
    const dir = join(this.dir, 'stacks', stack);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `.${logicalId}.tmp`), JSON.stringify({ status, metadata }, null, 1));
    renameSync(join(dir, `.${logicalId}.tmp`), join(dir, `${logicalId}.json`));
  }

  /** Places a file or a directory (an unpacked archive) at the URL it is served from. */
  public putObject(url: string, source: string | Buffer): void {
    const parsed = new URL(url);
    const target = join(this.dir, 'objects', parsed.hostname, decodeURIComponent(parsed.pathname));
    mkdirSync(join(target, '..'), { recursive: true });
    if (Buffer.isBuffer(source)) writeFileSync(target, source);
    else cpSync(source, target, { recursive: true });
  }

  /**
   * What `cdk deploy` publishes before CloudFormation runs: every file asset of the cloud assembly
   * at its S3 destination (a directory asset stays unpacked, see aws-stand-in.ts).
   */
  public publishAssets(cloudAssembly: string): void {
    const substitute = (text: string) => text.replace(/\$\{AWS::AccountId\}/g, this.accountId).replace(/\$\{AWS::Region\}/g, this.region).replace(/\$\{AWS::Partition\}/g, 'aws');
    for (const manifestFile of readdirSync(cloudAssembly).filter((f) => f.endsWith('.assets.json'))) {
      const manifest = JSON.parse(readFileSync(join(cloudAssembly, manifestFile), 'utf8')) as AssetManifest;
      for (const asset of Object.values(manifest.files ?? {})) {
        const source = join(cloudAssembly, asset.source.path);
        if (!existsSync(source)) continue;
        for (const destination of Object.values(asset.destinations)) {
          const url = `https://s3.${this.region}.amazonaws.com/${substitute(destination.bucketName)}/${substitute(destination.objectKey)}`;
          if (statSync(source).isDirectory() && asset.source.packaging !== 'zip') throw new Error(`directory asset ${asset.source.path} is not zip-packaged`);
          this.putObject(url, source);
        }
      }
    }
  }

  /** What IMDS serves the instance: its ID and its user data. */
  public setInstance(instanceId: string, userData: string): void {
    writeFileSync(join(this.dir, 'instance-id'), `${instanceId}\n`);
    writeFileSync(join(this.dir, 'user-data'), userData, { mode: 0o600 });
  }

  /** How many seconds one of cfn-hup's minutes lasts (its interval is a whole number of minutes). */
  public setCfnHupMinute(seconds: number): void {
    writeFileSync(join(this.dir, 'settings.json'), JSON.stringify({ cfnHupMinuteSeconds: seconds }));
  }

  /** The length of cfn-hup's minute set last, in seconds. */
  public get cfnHupMinute(): number {
    return (JSON.parse(readFileSync(join(this.dir, 'settings.json'), 'utf8')) as { cfnHupMinuteSeconds: number }).cfnHupMinuteSeconds;
  }

  /** Every signal received, oldest first. */
  public signals(): Signal[] {
    return readdirSync(join(this.dir, 'signals'))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(this.dir, 'signals', f), 'utf8')) as Signal);
  }
}
