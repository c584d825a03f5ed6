import { parseCliArgs } from '../lib/cli-args';
import { CliError, runCli } from '../../contracts/cli';
import { createProgress } from '../lib/progress';
import { copyDatabase } from './copy-database';
import { connectionUrlFromSecret, connectionUrlFromSecretJson } from './secret-url';
import { describeUrl } from './session';

const USAGE = `usage: db-copy [--source <url> | --source-secret <arn>] [--target <url> | --target-secret <arn>] [--batch-size <rows>] [--verify-only] [--replace-target]
Connection strings may come from SOURCE_DATABASE_URL / TARGET_DATABASE_URL instead (keeps passwords out of the process list),
or from SOURCE_DATABASE_SECRET / TARGET_DATABASE_SECRET: an RDS credentials secret's JSON, as get-secret-value prints it.
--source-secret / --target-secret read that JSON from Secrets Manager (the Data stack's DatabaseSecretArn output)
with the caller's AWS credentials (an instance role), so no password is typed.
--replace-target drops what an earlier db-copy run created in the target, then copies from scratch
(for a source that changed after a finished copy); it refuses a target that db-copy did not fill.
Run from the repository: npx tsx tools/db-copy/cli.ts; on an API instance: node-22 /opt/graminsta/api/tools/db-copy.js
exit codes: 0 copied and verified, 1 verification found a difference, 2 bad arguments or connection/copy error`;

export async function main(argv: readonly string[]): Promise<number> {
  let batchSize = 1000;
  const args = parseCliArgs(
    argv,
    {
      source: { type: 'string' },
      target: { type: 'string' },
      'source-secret': { type: 'string' },
      'target-secret': { type: 'string' },
      'batch-size': { type: 'string', default: '1000' },
      'verify-only': { type: 'boolean', default: false },
      'replace-target': { type: 'boolean', default: false },
    },
    USAGE,
    (values, problems) => {
      if (values.source && values['source-secret']) problems.add('give --source or --source-secret, not both');
      if (values.target && values['target-secret']) problems.add('give --target or --target-secret, not both');
      if (values['replace-target'] && values['verify-only']) problems.add('--replace-target copies; it cannot go with --verify-only');
      batchSize = problems.integer('--batch-size', values['batch-size'], 1, 100_000);
    },
  );
  if (!args) return 0;
  const fromSecret = async (arn: string) => {
    try {
      return await connectionUrlFromSecret(arn);
    } catch (error) {
      throw new CliError(`cannot read the database secret: ${(error as Error).message.split('\n')[0]}`);
    }
  };
  const fromEnvironment = (side: 'SOURCE' | 'TARGET'): string | undefined => {
    const url = process.env[`${side}_DATABASE_URL`];
    const secret = process.env[`${side}_DATABASE_SECRET`];
    if (url && secret) throw new CliError(`${side}_DATABASE_URL and ${side}_DATABASE_SECRET are both set; set one`);
    if (!secret) return url;
    try {
      return connectionUrlFromSecretJson(secret, `${side}_DATABASE_SECRET`);
    } catch (error) {
      throw new CliError((error as Error).message);
    }
  };
  const sourceUrl = args['source-secret'] ? await fromSecret(args['source-secret']) : (args.source ?? fromEnvironment('SOURCE'));
  const targetUrl = args['target-secret'] ? await fromSecret(args['target-secret']) : (args.target ?? fromEnvironment('TARGET'));
  if (!sourceUrl || !targetUrl) throw new CliError('both a source and a target are needed', 2, USAGE);
  if (sourceUrl === targetUrl) throw new CliError('the source and the target are the same database');

  const progress = createProgress();
  progress.log(`db-copy: ${describeUrl(sourceUrl)} → ${describeUrl(targetUrl)}${args['verify-only'] ? ' (verify only)' : ''}`);
  let result;
  try {
    result = await copyDatabase({ sourceUrl, targetUrl, batchSize, progress, verifyOnly: args['verify-only'], replaceTarget: args['replace-target'] });
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
