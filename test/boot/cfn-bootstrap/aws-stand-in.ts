import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The instance's view of AWS in the boot test. On EC2, cfn-init asks
 * CloudFormation (DescribeStackResource) for a resource's metadata, downloads
 * from S3 and the web, and cfn-signal calls SignalResource. Here the test
 * (playing CloudFormation, S3 and the web) bind-mounts a directory at
 * /run/aws-stand-in with:
 *
 *     stacks/<stack name>/<logical id>.json   {"status": "...", "metadata": {...}}  (resolved, as the API returns it)
 *     objects/<host>/<path>                   every URL the instance may fetch (S3 objects as s3.<region>.amazonaws.com/<bucket>/<key>)
 *     signals/                                 one JSON file per cfn-signal call
 *     settings.json                            {"cfnHupMinuteSeconds": n} (how long cfn-hup's "minute" is)
 *     instance-id, user-data                   what IMDS would serve
 */
export const STAND_IN_ROOT = process.env.BOOT_HARNESS_AWS_ROOT ?? '/run/aws-stand-in';

export interface StackResource {
  readonly status: string;
  readonly metadata: Record<string, unknown> | null;
}

/** `--stack` takes a name or an ARN (`arn:aws:cloudformation:<region>:<account>:stack/<name>/<id>`, as AWS::StackId gives). */
export function stackName(nameOrArn: string): string {
  const arn = /^arn:[^:]+:cloudformation:[^:]*:[^:]*:stack\/([^/]+)\//.exec(nameOrArn);
  return arn ? arn[1] : nameOrArn;
}

/** DescribeStackResource: the resource's status and metadata. */
export function describeStackResource(stack: string, logicalId: string): StackResource {
  const file = join(STAND_IN_ROOT, 'stacks', stackName(stack), `${logicalId}.json`);
  if (!existsSync(file)) throw new Error(`Resource ${logicalId} does not exist for stack ${stack}`);
  return JSON.parse(readFileSync(file, 'utf8')) as StackResource;
}

/**
 * Where the stand-in keeps the object a URL names: `objects/<host>/<path>`.
 * A directory there is an archive already unpacked (what cdk-assets would
 * zip from a directory asset); a file is served as is.
 */
export function objectPath(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`unsupported URL scheme: ${url}`);
  const path = join(STAND_IN_ROOT, 'objects', parsed.hostname, decodeURIComponent(parsed.pathname));
  if (!path.startsWith(join(STAND_IN_ROOT, 'objects') + '/') || !existsSync(path)) {
    throw new Error(`Failed to retrieve ${url}: HTTP Error 404 : <?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code></Error>`);
  }
  return path;
}

export function isDirectory(path: string): boolean {
  return statSync(path).isDirectory();
}

export interface Signal {
  readonly stack: string;
  readonly resource: string;
  readonly status: 'SUCCESS' | 'FAILURE';
  readonly uniqueId: string;
  readonly reason: string;
  readonly exitCode: number;
  readonly at: string;
}

/** SignalResource: one file per signal, written atomically, for the test to read. */
export function sendSignal(signal: Omit<Signal, 'at'>): void {
  const dir = join(STAND_IN_ROOT, 'signals');
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const name = `${Date.now()}-${process.pid}`;
  writeFileSync(join(dir, `.${name}.tmp`), JSON.stringify({ ...signal, stack: stackName(signal.stack), at }));
  renameSync(join(dir, `.${name}.tmp`), join(dir, `${name}.json`));
}

export function instanceId(): string {
  const file = join(STAND_IN_ROOT, 'instance-id');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : 'i-00000000000000000';
}

/** Seconds in one of cfn-hup's minutes (its `interval` is in minutes; the test shortens them). */
export function cfnHupMinuteSeconds(): number {
  const file = join(STAND_IN_ROOT, 'settings.json');
  if (!existsSync(file)) return 60;
  const value = (JSON.parse(readFileSync(file, 'utf8')) as { cfnHupMinuteSeconds?: number }).cfnHupMinuteSeconds;
  return typeof value === 'number' && value > 0 ? value : 60;
}
