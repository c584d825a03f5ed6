import { parseCliArgs, integerOption } from '../lib/cli-args';
import { CliError, runCli } from '../lib/cli-error';
import { createProgress } from '../lib/progress';
import { copyDatabase } from './copy-database';
import { describeUrl } from './session';

const USAGE = `usage: npx tsx tools/db-copy/cli.ts [--source <url>] [--target <url>] [--batch-size <rows>] [--verify-only]
Connection strings may come from SOURCE_DATABASE_URL / TARGET_DATABASE_URL instead (keeps passwords out of the process list).
exit codes: 0 copied and verified, 1 verification found a difference, 2 bad arguments or connection/copy error`;

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(
    argv,
    {
      source: { type: 'string' },
      target: { type: 'string' },
      'batch-size': { type: 'string', default: '1000' },
      'verify-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    USAGE,
  );
  if (!args) return 0;
  const sourceUrl = args.source ?? process.env.SOURCE_DATABASE_URL;
  const targetUrl = args.target ?? process.env.TARGET_DATABASE_URL;
  if (!sourceUrl || !targetUrl) throw new CliError(`both a source and a target connection string are needed\n${USAGE}`);
  if (sourceUrl === targetUrl) throw new CliError('the source and the target are the same database');
  const batchSize = integerOption('batch-size', args['batch-size'], 1, 100_000);

  const progress = createProgress();
  progress.log(`db-copy: ${describeUrl(sourceUrl)} → ${describeUrl(targetUrl)}${args['verify-only'] ? ' (verify only)' : ''}`);
  let result;
  try {
    result = await copyDatabase({ sourceUrl, targetUrl, batchSize, progress, verifyOnly: args['verify-only'] });
  } catch (error) {
    // Connection errors can echo the connection string; never print it.
    const message = ((error as Error).message ?? String(error)).split(sourceUrl).join(describeUrl(sourceUrl)).split(targetUrl).join(describeUrl(targetUrl));
    throw new CliError(`${message.split('\n')[0]} (re-running resumes where the copy stopped)`);
  }
  const bad = result.tables.filter((t) => !t.ok);
  progress.log(
    bad.length === 0
      ? `db-copy: ${result.tables.length} tables verified (row counts and checksums equal); ${result.rowsCopied} rows copied in this run`
      : `db-copy: ${bad.length} table(s) differ: ${bad.map((t) => t.table).join(', ')}`,
  );
  return bad.length === 0 ? 0 : 1;
}

if (require.main === module) runCli('db-copy', () => main(process.argv.slice(2)));
