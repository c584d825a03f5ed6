import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { parsePhotoCopyArgs } from '../lib/photo-copy-args';
import { CliError, runCli } from '../../contracts/cli';
import { createProgress } from '../lib/progress';
import { copyPhotos } from './copy-photos';

const USAGE = `usage: npx tsx tools/photos-to-s3/cli.ts --bucket <uploads bucket> [--data-dir <DATA_DIR>] [--region <region>] [--concurrency <n>] [--dry-run] [--endpoint <url>]
--data-dir defaults to $DATA_DIR, then /var/lib/graminsta. --endpoint is for S3-compatible test servers.
exit codes: 0 every file is in the bucket, 2 bad arguments or an upload failed (run again to resume)`;

export async function main(argv: readonly string[]): Promise<number> {
  const args = parsePhotoCopyArgs(argv, USAGE);
  if (!args) return 0;
  const { dataDir, concurrency, dryRun } = args;
  if (!existsSync(join(dataDir, 'media')) || !statSync(join(dataDir, 'media')).isDirectory()) {
    throw new CliError(`no photo directory at ${join(dataDir, 'media')} (pass --data-dir <DATA_DIR>)`);
  }
  const client = new S3Client({
    ...(args.region ? { region: args.region } : {}),
    ...(args.endpoint ? { endpoint: args.endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' as const } : {}),
  });
  const progress = createProgress();
  try {
    const result = await copyPhotos({ dataDir, bucket: args.bucket, client, progress, concurrency, dryRun });
    progress.log(
      `photos-to-s3: ${result.files} files: ${result.uploaded} ${dryRun ? 'to upload' : 'uploaded'} (${(result.bytesUploaded / 1024 / 1024).toFixed(1)} MiB), ${result.skipped} already in the bucket`,
    );
  } catch (error) {
    throw new CliError(`${((error as Error).message ?? String(error)).split('\n')[0]} (run again: files already copied are skipped)`);
  }
  return 0;
}

if (require.main === module) runCli('photos-to-s3', () => main(process.argv.slice(2)));
