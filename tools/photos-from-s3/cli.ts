import { existsSync, statSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { parsePhotoCopyArgs } from '../lib/photo-copy-args';
import { CliError, runCli } from '../../contracts/cli';
import { createProgress } from '../lib/progress';
import { copyPhotosFromS3 } from './copy-photos-from-s3';

const USAGE = `usage: npx tsx tools/photos-from-s3/cli.ts --bucket <uploads bucket> [--data-dir <DATA_DIR>] [--region <region>] [--concurrency <n>] [--dry-run] [--endpoint <url>]
Copies the bucket's photo files (media/) to the same paths under --data-dir: photos-to-s3 the other way.
--data-dir defaults to $DATA_DIR, then /var/lib/graminsta, and must exist. --endpoint is for S3-compatible test servers.
exit codes: 0 every photo file of the bucket is under the directory, 2 bad arguments or a download failed (run again to resume)`;

export async function main(argv: readonly string[]): Promise<number> {
  const args = parsePhotoCopyArgs(argv, USAGE);
  if (!args) return 0;
  const { dataDir, concurrency, dryRun } = args;
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new CliError(`no directory at ${dataDir} (mount the data volume there, or pass --data-dir <DATA_DIR>)`);
  const client = new S3Client({
    ...(args.region ? { region: args.region } : {}),
    ...(args.endpoint ? { endpoint: args.endpoint, forcePathStyle: true } : {}),
  });
  const progress = createProgress();
  try {
    const result = await copyPhotosFromS3({ dataDir, bucket: args.bucket, client, progress, concurrency, dryRun });
    progress.log(
      `photos-from-s3: ${result.objects} objects: ${result.downloaded} ${dryRun ? 'to download' : 'downloaded'} (${(result.bytesDownloaded / 1024 / 1024).toFixed(1)} MiB), ${result.skipped} already in ${dataDir}`,
    );
  } catch (error) {
    throw new CliError(`${((error as Error).message ?? String(error)).split('\n')[0]} (run again: files already copied are skipped)`);
  }
  return 0;
}

if (require.main === module) runCli('photos-from-s3', () => main(process.argv.slice(2)));
