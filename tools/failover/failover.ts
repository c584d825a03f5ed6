import { CliError } from '../../contracts/cli';
import { moveHome, type RegionConfig } from '../../contracts/region-config';
import type { ChosenControl } from './choose-control';
import { caughtUp, type DatabaseControl } from './control';
import { describeServer, errorText, withConnection, type ShardPair } from './databases';
import { failpoint } from './failpoint';
import { describeLag, measureShard, type ShardLag } from './lag';
import { reason, type RegionConfigStore } from './region-config-store';
import { parseRunState, type RunState } from './run-state';

export interface FailoverOptions {
  readonly to: string;
  readonly dryRun: boolean;
  /** A fenced home's replica must reach lag 0 within this, or nothing is promoted and home is unfenced. */
  readonly catchUpTimeoutMs: number;
  readonly pairs: readonly ShardPair[];
  readonly store: RegionConfigStore;
  /** Per shard (by name): how its replica is promoted and its home fenced (choose-control.ts). */
  readonly controls: ReadonlyMap<string, ChosenControl>;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
  /** The report (stdout). */
  readonly out: (line: string) => void;
}

/** Exit codes (the usage prints them). */
export const EXIT = { done: 0, failed: 1, refused: 2 } as const;

const refuse = (message: string) => new CliError(`refused: ${message}\nnothing changed`, EXIT.refused);

/** Whether a server is a standby; undefined when it does not answer. */
async function inRecovery(pair: ShardPair, which: 'home' | 'replica'): Promise<boolean | undefined> {
  try {
    return await withConnection(pair[which], async (client) => (await client.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r')).rows[0].r);
  } catch {
    return undefined;
  }
}

/**
 * `npm run failover -- --to <region>` (docs/runbooks/failover.md): check and
 * report the replication lag per shard, refuse a target that is not ready,
 * fence the home primaries that still answer and wait for lag 0, promote the
 * target region's replicas (each shard by its control: choose-control.ts),
 * lift a fence that came with the WAL (RDS: the role setting) on the promoted
 * servers, write the region configuration with the new home
 * (epoch + 1) in the target region first and then in every other region it
 * reaches. DNS is left to the health checks. Every step is recorded in the run
 * state before it runs and skipped when already done, so re-running the same
 * command after a kill finishes the run, and re-running a finished one brings
 * the regions that were unreachable up to date (and fences their old
 * primaries) without promoting anything twice.
 */
export async function failover(o: FailoverOptions): Promise<number> {
  const { to, store, log, out } = o;
  let config: RegionConfig;
  try {
    config = await store.read(to);
  } catch (error) {
    throw refuse(`cannot read the region configuration in ${to} (${reason(error)}): unknown region, or its SSM does not answer`);
  }
  if (!config.regions.some((r) => r.name === to)) throw refuse(`${to} is not a region of the configuration (regions: ${config.regions.map((r) => r.name).join(', ')})`);

  let state: RunState | undefined;
  const saved = await store.readRunState(to).catch((error: unknown) => {
    throw new Error(`cannot read the run state in ${to}: ${reason(error)}`);
  });
  if (saved) {
    const previous = parseRunState(saved);
    // The run this state records is still the latest one: resume it (or bring a finished one's stragglers up to date).
    if (previous.to === to && config.epoch <= previous.epoch) state = previous;
  }
  if (!state && config.home === to) throw refuse(`${to} is already home (epoch ${config.epoch})`);

  if (state) {
    log(`failover: ${state.doneAt ? 'run finished at ' + state.doneAt + ': bringing every region up to date' : 'resuming the run started ' + state.startedAt} (${state.from} -> ${to}, epoch ${state.epoch})`);
    out('replication lag seen before the run changed anything:');
    for (const lag of state.lag) out(`  ${describeLag(lag)}`);
    if (o.dryRun) {
      out(`dry run: would resume: ${planSteps(state.lag, o).join(' → ')}`);
      for (const line of controlLines(o)) out(line);
      out('dry run: nothing changed');
      return EXIT.done;
    }
  } else {
    log(`failover: checking ${o.pairs.length} shards' replicas in ${to} and the home primaries in ${config.home}`);
    const lags = await Promise.all(o.pairs.map((pair) => measureShard(pair)));
    out(`failover ${config.home} -> ${to} (region configuration epoch ${config.epoch} -> ${config.epoch + 1})`);
    out('replication lag per shard:');
    for (const lag of lags) out(`  ${describeLag(lag)}`);
    const problems = lags.flatMap((lag) => notReady(lag));
    if (problems.length > 0) throw refuse(`${to} is not ready:\n${problems.join('\n')}`);
    const planned = lags.every((lag) => !lag.homeProblem);
    out(`plan (${planned ? 'planned move: home answers' : 'home lost: its unreplicated writes are lost'}): ${planSteps(lags, o).join(' → ')}`);
    for (const line of controlLines(o)) out(line);
    if (o.dryRun) {
      out('dry run: nothing changed');
      return EXIT.done;
    }
    state = { to, from: config.home, epoch: config.epoch + 1, startedAt: new Date().toISOString(), planned, lag: lags, fenced: [], promoting: [], configWritten: [] };
    await save(store, state);
    await failpoint('state-written', log);
  }

  const started = Date.now();
  const run = state;
  let current: RunState = run;
  const record = async (change: Partial<RunState>) => {
    current = { ...current, ...change };
    await save(store, current);
  };

  if (!current.doneAt) {
    // 1. Fence the home primaries that answer (and are still primaries), then wait for their replicas to replay everything.
    const lagOf = new Map(current.lag.map((lag) => [lag.name, lag]));
    const toFence = o.pairs.filter((pair) => !lagOf.get(pair.name)?.homeProblem);
    const waiting: ShardPair[] = [];
    for (const pair of toFence) {
      // Promotion started (recorded only after the catch-up) or done: its home was fenced and caught up before.
      if (current.promoting.includes(pair.name) || (await inRecovery(pair, 'replica')) === false) continue;
      if ((await inRecovery(pair, 'home')) === undefined) {
        // Home answered at the start and is gone now (lost during the run): this shard fails over as from a lost home.
        log(`failover: ${pair.name}'s home primary ${describeServer(pair.home)} no longer answers: promoting without catch-up (what it had not sent is lost)`);
        if (current.planned) await record({ planned: false });
        continue;
      }
      if (!current.fenced.includes(pair.name)) await record({ fenced: [...current.fenced, pair.name] });
      log(`failover: fencing ${pair.name}'s home primary ${describeServer(pair.home)} (new transactions read-only, sessions ended)`);
      try {
        await controlOf(o, pair).fence(pair.home);
      } catch (error) {
        throw new Error(`fencing ${pair.name}'s home primary failed: ${errorText(error)} (re-running the same command resumes the run)`);
      }
      waiting.push(pair);
    }
    if (waiting.length > 0) await waitForCatchUp(waiting, o, async () => record({ fenced: [] }));

    // 2. Promote every replica not yet promoted (in parallel: on RDS each takes minutes).
    let first = true;
    await Promise.all(
      o.pairs.map(async (pair) => {
        const standby = await inRecovery(pair, 'replica');
        if (standby === false && current.promoting.includes(pair.name)) {
          log(`failover: ${pair.name}'s replica is already promoted: skipped`);
          return;
        }
        // A replica whose promotion this run started may be rebooting (RDS does): its control waits for it.
        if (standby === undefined && !current.promoting.includes(pair.name)) throw new Error(`${pair.name}'s replica ${describeServer(pair.replica)} does not answer (re-running the same command resumes the run)`);
        if (standby === false) throw new Error(`${pair.name}'s replica ${describeServer(pair.replica)} is a primary that this run did not promote: stopping (see docs/runbooks/failover.md)`);
        if (!current.promoting.includes(pair.name)) await record({ promoting: [...current.promoting, pair.name] });
        const control = controlOf(o, pair);
        log(`failover: promoting ${pair.name}'s replica ${describeServer(pair.replica)} (${control.kind})`);
        try {
          await control.promote(pair.replica);
        } catch (error) {
          throw new Error(`promoting ${pair.name}'s replica failed: ${errorText(error)}${/re-running/.test(errorText(error)) ? '' : ' (re-running the same command resumes the run)'}`);
        }
        log(`failover: ${pair.name}'s replica takes writes`);
        if (first) {
          first = false;
          await failpoint('promoted-one', log);
        }
      }),
    );

    // 3. A fence that replicated (RDS: the role's setting) came with the WAL: lift it on the promoted servers before any region writes to them.
    for (const pair of o.pairs) {
      const control = controlOf(o, pair);
      if (!control.fenceReplicates) continue;
      try {
        await control.unfence(pair.replica);
      } catch (error) {
        throw new Error(`lifting the replicated fence on ${pair.name}'s promoted server failed: ${errorText(error)} (re-running the same command resumes the run)`);
      }
      log(`failover: ${pair.name}'s promoted server: the fence that came with the WAL lifted (its role's sessions restarted)`);
    }
  }

  // 4. The region configuration: the target first (its API takes writes from then on), then every other region.
  const moved: RegionConfig = { ...moveHome({ ...config, home: current.from, epoch: current.epoch - 1 }, to) };
  if (!current.configWritten.includes(to)) {
    try {
      await store.write(to, moved);
    } catch (error) {
      throw new Error(`writing the region configuration in ${to} failed: ${reason(error)} (re-running the same command resumes the run)`);
    }
    await record({ configWritten: [...current.configWritten, to] });
    log(`failover: ${to}: region configuration written (home ${to}, epoch ${moved.epoch})`);
    await failpoint('config-target', log);
  }
  const unreached: string[] = [];
  for (const region of config.regions.map((r) => r.name).filter((name) => name !== to)) {
    try {
      const theirs = await store.read(region).catch(() => undefined);
      if (theirs && theirs.epoch >= moved.epoch) {
        log(`failover: ${region}: already at epoch ${theirs.epoch}: skipped`);
      } else {
        await store.write(region, moved);
        log(`failover: ${region}: region configuration written (home ${to}, epoch ${moved.epoch})`);
      }
      if (!current.configWritten.includes(region)) await record({ configWritten: [...current.configWritten, region] });
    } catch (error) {
      unreached.push(region);
      log(`failover: ${region}: not reached (${reason(error)})`);
    }
  }

  // 5. An old home primary that answers again must not take writes: fence it (a re-run after the old region came back).
  for (const pair of o.pairs) {
    if (current.fenced.includes(pair.name) || (await inRecovery(pair, 'home')) !== false) continue;
    try {
      await controlOf(o, pair).fence(pair.home);
      await record({ fenced: [...current.fenced, pair.name] });
      log(`failover: ${pair.name}'s old home primary ${describeServer(pair.home)} answers again: fenced`);
    } catch (error) {
      log(`failover: ${pair.name}'s old home primary: not fenced (${errorText(error)})`);
    }
  }

  if (!current.doneAt) await record({ doneAt: new Date().toISOString() });
  out(`failover to ${to} done: home ${to}, epoch ${moved.epoch} (${current.planned ? 'planned move, lag 0 at promotion' : 'unplanned: writes the replicas had not received are lost; see the lag above'})`);
  out(`  promoted: ${o.pairs.map((p) => p.name).join(', ')}; configuration written in ${current.configWritten.join(', ')}${unreached.length ? `; NOT reached: ${unreached.join(', ')} (re-run this command when they answer)` : ''}`);
  out(`  DNS: the health checks on /readyz drain ${current.from} while it fails them; nothing to change by hand`);
  out(`  this run: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return EXIT.done;
}

/** Why a shard's replica cannot be promoted now (nothing when it can). */
function notReady(lag: ShardLag): string[] {
  if (lag.replicaProblem) return [`${lag.name}: its replica ${lag.replica} does not answer (${lag.replicaProblem}): replica missing?`];
  if (!lag.inRecovery) return [`${lag.name}: its replica ${lag.replica} is not a standby (promoted outside a failover run?)`];
  if (!lag.streaming && !lag.homeProblem) {
    return [`${lag.name}: its replica ${lag.replica} is not streaming although home answers: replication is broken (last replayed ${lag.lastReplayAt ?? 'never'}); repair it first`];
  }
  return [];
}

function planSteps(lags: readonly ShardLag[], o: FailoverOptions): string[] {
  const reachable = lags.filter((lag) => !lag.homeProblem).map((lag) => lag.name);
  const replicated = o.pairs.filter((pair) => o.controls.get(pair.name)?.control.fenceReplicates).map((pair) => pair.name);
  return [
    ...(reachable.length ? [`fence home primaries of ${reachable.join(', ')} and wait for lag 0`] : []),
    `promote ${lags.length} replicas (each as below)`,
    ...(replicated.length ? [`lift the fence that reaches replicas through WAL on the promoted servers of ${replicated.join(', ')}`] : []),
    'write the region configuration in the target region, then in every other region that answers',
    'leave DNS to the health checks',
  ];
}

function controlOf(o: FailoverOptions, pair: ShardPair): DatabaseControl {
  const chosen = o.controls.get(pair.name);
  if (!chosen) throw new Error(`no database control chosen for ${pair.name}`);
  return chosen.control;
}

/** One plan line per shard: how its replica is promoted (and its home fenced), and why. */
function controlLines(o: FailoverOptions): string[] {
  return o.pairs.map((pair) => {
    const chosen = o.controls.get(pair.name);
    // Not `  <name>: …`: that is a lag line (the drills read them).
    return `  ${pair.name} is promoted with ${chosen ? `${chosen.control.kind} (${chosen.reason})` : 'no control chosen'}`;
  });
}

async function save(store: RegionConfigStore, state: RunState): Promise<void> {
  try {
    await store.writeRunState(state.to, JSON.stringify(state));
  } catch (error) {
    throw new Error(`writing the run state in ${state.to} failed: ${reason(error)}`);
  }
}

/** Waits until every fenced shard's replica has replayed its home's last WAL; on timeout unfences them all and fails. */
async function waitForCatchUp(pairs: readonly ShardPair[], o: FailoverOptions, forget: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + o.catchUpTimeoutMs;
  let pending = [...pairs];
  let last = new Map<string, number>();
  while (pending.length > 0) {
    const states = await Promise.all(pending.map(async (pair) => ({ pair, ...(await caughtUp(pair.home, pair.replica)) })));
    last = new Map(states.map((s) => [s.pair.name, s.behind]));
    pending = states.filter((s) => s.behind > 0).map((s) => s.pair);
    if (pending.length === 0) break;
    if (Date.now() > deadline) {
      await Promise.all(pairs.map((pair) => controlOf(o, pair).unfence(pair.home).catch(() => undefined)));
      await forget();
      throw new CliError(
        `replicas did not catch up within ${o.catchUpTimeoutMs} ms (${pending.map((p) => `${p.name} ${last.get(p.name)} bytes behind`).join(', ')}): home unfenced, nothing promoted; re-run when replication is healthy`,
        EXIT.failed,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  o.log(`failover: replicas caught up (lag 0 bytes): ${pairs.map((p) => p.name).join(', ')}`);
}
