import { ArgProblems, parseCliArgs, runCli } from '../contracts/cli';
import { progressBar } from './seed/progress-bar';
import { seedDatabase } from './seed/seed-database';

// `npm run seed -- --database-url postgres://... [--users 100000 --photos 1000000 --follows 2000000] [--shards 0-2047] [--replace]`
const USAGE =
  'usage: npm run seed -- [--database-url URL | DATABASE_URL=...] [--users 100000] [--photos 1000000] [--follows 2000000] [--seed 1]\n' +
  '  [--shards <first>-<last>] [--replace]\n' +
  'Runs the API migrations and loads a Zipf-skewed data set with COPY. Photos and follows default to 10× and 20× the users.\n' +
  '--shards: load only the rows whose home logical shard is in the range (one server of a shard layout; run once\n' +
  '  per server with the ranges of its SHARD_MAP entry, same sizes and --seed). Default: every shard.\n' +
  'exit codes: 0 loaded, 1 failed, 2 bad arguments';

function shardRange(raw: string, problems: ArgProblems): ((shard: number) => boolean) | undefined {
  const match = /^(\d+)-(\d+)$/.exec(raw);
  const [first, last] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!match || first > last || last > 4095) {
    problems.add(`--shards must be <first>-<last> with 0 <= first <= last <= 4095, not "${raw}"`);
    return undefined;
  }
  return (shard) => shard >= first && shard <= last;
}

async function main(argv: readonly string[]): Promise<number> {
  let url: string | undefined;
  let options: Parameters<typeof seedDatabase>[1] | undefined;
  const values = parseCliArgs(
    argv,
    {
      'database-url': { type: 'string' },
      users: { type: 'string' },
      photos: { type: 'string' },
      follows: { type: 'string' },
      seed: { type: 'string' },
      shards: { type: 'string' },
      replace: { type: 'boolean', default: false },
    },
    USAGE,
    (v, problems) => {
      url = v['database-url'] ?? process.env.DATABASE_URL;
      if (!url) problems.add('no database: pass --database-url or set DATABASE_URL');
      const users = problems.integer('--users', v.users, 1, 100_000_000, 100_000);
      const shards = v.shards === undefined ? undefined : shardRange(v.shards, problems);
      options = {
        users,
        photos: problems.integer('--photos', v.photos, 0, 2_000_000_000, users * 10),
        follows: problems.integer('--follows', v.follows, 0, 2_000_000_000, users * 20),
        seed: problems.integer('--seed', v.seed, 0, 2 ** 31 - 1, 1),
        replace: v.replace === true,
        ...(shards ? { shards } : {}),
      };
    },
  );
  if (!values || !url || !options) return 0;
  const report = await seedDatabase(url, options, progressBar());
  for (const t of report.tables) console.log(`${t.table.padEnd(8)} ${t.rows.toLocaleString('en-US').padStart(11)} rows in ${t.seconds.toFixed(1)} s  (${Math.round(t.rowsPerSecond).toLocaleString('en-US')} rows/s)`);
  console.log(`indexes rebuilt in ${report.indexSeconds.toFixed(1)} s; planned in ${report.planSeconds.toFixed(1)} s`);
  console.log(`total    ${report.totalRows.toLocaleString('en-US').padStart(11)} rows in ${report.totalSeconds.toFixed(1)} s  (${Math.round(report.rowsPerSecond).toLocaleString('en-US')} rows/s overall)`);
  const d = report.dataSet;
  const top = d.celebrities.map((u) => d.followerCount[u].toLocaleString('en-US')).join(', ');
  console.log(`celebrities' followers: ${top}; the reader "${d.username(0)}" follows ${d.readerFollowees.length} accounts`);
  return 0;
}

if (require.main === module) runCli('seed', () => main(process.argv.slice(2)));
