import { parseArgs } from 'node:util';
import { progressBar } from './seed/progress-bar';
import { seedDatabase } from './seed/seed-database';

// `npm run seed -- --database-url postgres://... [--users 100000 --photos 1000000 --follows 2000000] [--shards 0-2047] [--replace]`
const USAGE =
  'usage: npm run seed -- [--database-url URL | DATABASE_URL=...] [--users 100000] [--photos 1000000] [--follows 2000000] [--seed 1]\n' +
  '  [--shards <first>-<last>] [--replace]\n' +
  'Runs the API migrations and loads a Zipf-skewed data set with COPY. Photos and follows default to 10× and 20× the users.\n' +
  '--shards: load only the rows whose home logical shard is in the range (one server of a shard layout; run once\n' +
  '  per server with the ranges of its SHARD_MAP entry, same sizes and --seed). Default: every shard.';

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new Error(`--${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

function shardRange(raw: string): (shard: number) => boolean {
  const match = /^(\d+)-(\d+)$/.exec(raw);
  const [first, last] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!match || first > last || last > 4095) throw new Error(`--shards must be <first>-<last> with 0 <= first <= last <= 4095, got "${raw}"`);
  return (shard) => shard >= first && shard <= last;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      users: { type: 'string' },
      photos: { type: 'string' },
      follows: { type: 'string' },
      seed: { type: 'string' },
      shards: { type: 'string' },
      replace: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return void console.log(USAGE);
  const url = values['database-url'] ?? process.env.DATABASE_URL;
  if (!url) throw new Error(`no database: pass --database-url or set DATABASE_URL\n${USAGE}`);
  const users = positiveInt('users', values.users, 100_000);
  const options = {
    users,
    photos: positiveInt('photos', values.photos, users * 10),
    follows: positiveInt('follows', values.follows, users * 20),
    seed: positiveInt('seed', values.seed, 1),
    replace: values.replace,
    ...(values.shards === undefined ? {} : { shards: shardRange(values.shards) }),
  };
  const report = await seedDatabase(url, options, progressBar());
  for (const t of report.tables) console.log(`${t.table.padEnd(8)} ${t.rows.toLocaleString('en-US').padStart(11)} rows in ${t.seconds.toFixed(1)} s  (${Math.round(t.rowsPerSecond).toLocaleString('en-US')} rows/s)`);
  console.log(`indexes rebuilt in ${report.indexSeconds.toFixed(1)} s; planned in ${report.planSeconds.toFixed(1)} s`);
  console.log(`total    ${report.totalRows.toLocaleString('en-US').padStart(11)} rows in ${report.totalSeconds.toFixed(1)} s  (${Math.round(report.rowsPerSecond).toLocaleString('en-US')} rows/s overall)`);
  const d = report.dataSet;
  const top = d.celebrities.map((u) => d.followerCount[u].toLocaleString('en-US')).join(', ');
  console.log(`celebrities' followers: ${top}; the reader "${d.username(0)}" follows ${d.readerFollowees.length} accounts`);
}

main().catch((error: Error) => {
  console.error(`seed: ${error.message}`);
  process.exit(1);
});
