import { parseCliArgs } from './cli-args';

/** The command line photos-to-s3 and photos-from-s3 share: the same bucket, directory and S3 options, each way. */
export interface PhotoCopyArgs {
  readonly bucket: string;
  /** --data-dir, else $DATA_DIR, else the instance's /var/lib/graminsta. */
  readonly dataDir: string;
  readonly region?: string;
  /** An S3-compatible test server (path-style). */
  readonly endpoint?: string;
  readonly concurrency: number;
  readonly dryRun: boolean;
}

/** Parses the photo copy tools' arguments by the common convention; undefined after --help. */
export function parsePhotoCopyArgs(argv: readonly string[], usage: string): PhotoCopyArgs | undefined {
  let concurrency = 8;
  const args = parseCliArgs(
    argv,
    {
      bucket: { type: 'string' },
      'data-dir': { type: 'string' },
      region: { type: 'string' },
      endpoint: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      'dry-run': { type: 'boolean', default: false },
    },
    usage,
    (values, problems) => {
      if (!values.bucket) problems.add("--bucket is required (the App stack's UploadsBucketName output)");
      concurrency = problems.integer('--concurrency', values.concurrency, 1, 64);
    },
  );
  if (!args?.bucket) return undefined;
  return {
    bucket: args.bucket,
    dataDir: args['data-dir'] ?? process.env.DATA_DIR ?? '/var/lib/graminsta',
    region: args.region,
    endpoint: args.endpoint,
    concurrency,
    dryRun: args['dry-run'],
  };
}
