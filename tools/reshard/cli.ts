import { createInterface } from 'node:readline/promises';
import type { Client } from 'pg';
import { parseCliArgs } from '../lib/cli-args';
import { CliError, runCli } from '../../contracts/cli';
import { createProgress, type Progress } from '../lib/progress';
import { makePlan, type Plan } from './plan';
import { reshard } from './reshard';
import { connectServer, loadServers, serverNamed, type Server } from './servers';
import { formatShardList, parseShardList } from './shard-list';
import { readStatus, renderStatus } from './status';

const USAGE = `usage: npm run reshard -- --shards <list> --from <name> --to <name> [--map <file>] [--dry-run]
                            [--batch-rows N] [--max-pause-ms N] [--settle-ms N] [--yes]
       npm run reshard -- --status [--map <file>]
Moves logical shards (<list>: 5, 1024-2047, 1,2,10-20) from one primary of the shard map to another
while the API serves: copy, catch up, a short write pause for the moving shards only, verify, flip,
clean up. Re-running the same command resumes a killed run. Names are the shard map's primary names.
The map comes from --map <file> (SHARD_MAP JSON) or, like the API, SHARD_MAP / SHARD_MAP_PARAMETER /
SHARD_DATABASE_URLS / DATABASE_URL. See docs/resharding.md.
  --batch-rows N     rows per copy batch and cleanup delete, changes per catch-up pass (default 1000)
  --max-pause-ms N   longest write pause (freeze → flip); longer: writes resume, catch up, retry (default 3000)
  --settle-ms N      wait after the flip before deleting the source's rows (default 4000 = 2 × SHARD_MOVES_REFRESH_MS)
  --yes              do not ask for confirmation (required without a terminal)
exit codes: 0 moved (or dry run / status printed), 1 verify difference or pause budget exceeded (nothing flipped,
writes resumed), 2 bad input, unreachable server, or another run in progress (nothing changed)`;

function planText(plan: Plan): string {
  const lines = [
    `${plan.resume ? `resume run ${plan.resume.runId} at step ${plan.resume.step}: ` : ''}move logical shards ${formatShardList(plan.shards)} (${plan.shards.length}) from ${plan.source.name} to ${plan.target.name}`,
    'rows on the source:',
  ];
  for (const table of plan.tables) lines.push(`  ${table.name.padEnd(14)} ${String(plan.rows.get(table.name) ?? 0).padStart(10)}  (home shard from ${table.shardColumn})`);
  lines.push('steps: mark copying → bulk copy → catch up → freeze the moving shards → final catch-up → verify → flip → settle → clean up the source');
  return lines.join('\n');
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function connectAll(servers: readonly Server[]): Promise<Map<string, Client>> {
  const clients = new Map<string, Client>();
  try {
    for (const server of servers) clients.set(server.name, await connectServer(server));
  } catch (error) {
    await Promise.all([...clients.values()].map((c) => c.end().catch(() => undefined)));
    throw error;
  }
  return clients;
}

export async function main(argv: readonly string[], progress: Progress = createProgress(), out: (text: string) => void = (t) => process.stdout.write(`${t}\n`)): Promise<number> {
  let numbers = { batchRows: 0, maxPauseMs: 0, settleMs: 0 };
  const args = parseCliArgs(
    argv,
    {
      shards: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      map: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'batch-rows': { type: 'string', default: '1000' },
      'max-pause-ms': { type: 'string', default: '3000' },
      'settle-ms': { type: 'string', default: '4000' },
      yes: { type: 'boolean', default: false },
      status: { type: 'boolean', default: false },
    },
    USAGE,
    (values, problems) => {
      numbers = {
        batchRows: problems.integer('--batch-rows', values['batch-rows'], 1, 50_000),
        maxPauseMs: problems.integer('--max-pause-ms', values['max-pause-ms'], 100, 600_000),
        settleMs: problems.integer('--settle-ms', values['settle-ms'], 0, 3_600_000),
      };
      if (values.status && (values.shards ?? values.from ?? values.to) !== undefined) problems.add('--status takes no --shards, --from or --to');
    },
  );
  if (!args) return 0;
  const { batchRows, maxPauseMs, settleMs } = numbers;
  const shards = args.status ? [] : parseShardList(args.shards);
  const servers = await loadServers(args.map);
  const source = args.status ? undefined : serverNamed(servers, args.from, '--from');
  const target = args.status ? undefined : serverNamed(servers, args.to, '--to');
  if (source && target && source.name === target.name) throw new CliError(`--from and --to are the same server (${source.name})`);

  const clients = await connectAll(servers);
  try {
    if (args.status) {
      out(renderStatus(await readStatus(servers, clients)));
      return 0;
    }
    const plan = await makePlan(servers, clients, shards, source!, target!);
    out(planText(plan));
    if (args['dry-run']) {
      out('dry run: nothing changed');
      return 0;
    }
    if (!args.yes) {
      if (!process.stdin.isTTY) throw new CliError('pass --yes to move shards without a terminal to confirm on');
      if (!(await confirm(`move these shards now?`))) {
        out('not confirmed: nothing changed');
        return 2;
      }
    }
    const started = Date.now();
    let result;
    try {
      result = await reshard(plan, clients, { batchRows, maxPauseMs, settleMs, progress });
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new Error(`${(error as Error).message.split('\n')[0]} (re-running the same command resumes the run)`);
    }
    out(
      [
        `moved logical shards ${formatShardList(plan.shards)} from ${plan.source.name} to ${plan.target.name} (run ${result.runId}${result.resumed ? ', resumed' : ''})`,
        `  rows copied ${result.rowsCopied}, changes caught up ${result.changesApplied}, source rows deleted ${result.rowsDeleted}`,
        `  write pause ${result.pauseMs} ms (freeze → flip, moving shards only; ${result.freezeAttempts} freeze attempt(s) in this process)`,
        `  total ${((Date.now() - started) / 1000).toFixed(1)} s`,
      ].join('\n'),
    );
    return 0;
  } finally {
    await Promise.all([...clients.values()].map((c) => c.end().catch(() => undefined)));
  }
}

if (require.main === module) runCli('reshard', () => main(process.argv.slice(2)));
