import type { Assumptions } from './assumptions';
import type { ThroughputSource } from './bench-throughput';
import { type PriceTable, pricesFor, pricesLabel, type RegionPrices } from './price-table';
import { DEFAULT_SECOND_REGION } from './cost-model';
import type { StagePlan } from './stage-plan';

/** Rounds to two significant figures and prints with a suffix: 1234567 → "1.2M". */
export function humanCount(n: number): string {
  if (!Number.isFinite(n)) return '∞';
  const units: Array<[number, string]> = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  // Round first, so 999 becomes "1k" rather than "1000".
  const rounded = n === 0 ? 0 : Number(n.toPrecision(2));
  for (const [size, suffix] of units) {
    if (rounded >= size) return `${Number((rounded / size).toPrecision(2))}${suffix}`;
  }
  return `${rounded}`;
}

/** Dollars, whole above 100, cents below. */
export function usd(n: number): string {
  return n >= 100 ? `$${Math.round(n).toLocaleString('en-US')}` : `$${n.toFixed(2)}`;
}

/** The first limit of a stage and when to climb: `data volume (20 GiB EBS); climb at 300`. */
export function firstLimitCell(plan: StagePlan): string {
  return `${plan.capacity.firstLimit.resource}; climb at ${humanCount(plan.capacity.climbAtUsers)}`;
}

/**
 * Users a stage holds, said plainly when that is fewer than its label:
 * `3.4M (below its 10M label)` (10m holds what the home primaries hold).
 */
export function usersHeldCell(plan: StagePlan): string {
  const held = humanCount(plan.capacity.usersHeld);
  return plan.capacity.usersHeld < plan.label ? `${held} (below its ${humanCount(plan.label)} label)` : held;
}

/** The per-stage Markdown table (the one the README copies). */
export function renderStageTable(plans: readonly StagePlan[]): string {
  const rows = [
    '| stage | provisions | monthly cost (min fleet → max fleet) | of which usage at the label | users it holds | first limit; when to climb | users CPU alone holds |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const p of plans) {
    const cost = p.cost.totalAtMaxCapacityUsd > p.cost.totalUsd ? `${usd(p.cost.totalUsd)} → ${usd(p.cost.totalAtMaxCapacityUsd)}` : usd(p.cost.totalUsd);
    rows.push(
      `| \`${p.stage}\` | ${p.resources.join('; ')} | ${cost} | ${usd(p.cost.usageUsd)} | ${usersHeldCell(p)} | ${firstLimitCell(p)} | ${humanCount(p.capacity.cpuUsersHeld)} (${p.capacity.bottleneck}) |`,
    );
  }
  return rows.join('\n');
}

/** Every limit of one stage, CPU, storage, connections and memory, fewest users first. */
export function renderLimits(plan: StagePlan): string {
  const rows = ['| limit | kind | users | how | what says it is close |', '|---|---|---:|---|---|'];
  const sorted = [...plan.capacity.limits].sort((x, y) => x.users - y.users);
  for (const l of sorted) {
    const users = Number.isFinite(l.users) ? humanCount(l.users) : 'not user-bound';
    rows.push(`| ${l.resource} | ${l.kind} | ${users} | ${l.detail} | ${l.signal} |`);
  }
  return rows.join('\n');
}

/** The cost lines of one stage. */
export function renderCostLines(plan: StagePlan): string {
  const rows = [`| item | quantity | unit | unit price | monthly |`, '|---|---:|---|---:|---:|'];
  for (const l of plan.cost.lines) {
    rows.push(`| ${l.item} (${l.basis}) | ${Number(l.quantity.toPrecision(4))} | ${l.unit} | $${l.unitUsd} | ${usd(l.usd)} |`);
  }
  rows.push(`| **total** | | | | **${usd(plan.cost.totalUsd)}** |`);
  return rows.join('\n');
}

/** The assumptions and sources, printed under the table so every figure can be traced. */
export function renderAssumptions(
  a: Assumptions,
  throughput: ThroughputSource,
  prices: PriceTable,
  secondRegion: RegionPrices = pricesFor(DEFAULT_SECOND_REGION, prices),
): string {
  const secondPrices = secondRegion.standIn
    ? `${pricesLabel(secondRegion)}: no \`tools/plan/prices-${secondRegion.region}.json\` is committed (one of the same shape is used as soon as it is), so its resources are priced at ${secondRegion.table.region}'s list prices, assumed to be within about 10% of ${secondRegion.region}'s for these services (not checked)`
    : `its own table (\`tools/plan/prices-${secondRegion.region}.json\`, ${secondRegion.table.asOf})`;
  const perUser = (a.activeShare * a.requestsPerActiveUserPerDay * a.peakToAverage) / 86_400;
  const perCore = Object.entries(throughput.perCore)
    .map(([k, v]) => `${k} ${Math.round(v)}${throughput.measured.includes(k as keyof typeof throughput.perCore) ? '' : ' (default)'}`)
    .join(', ');
  const mix = Object.entries(a.mix)
    .map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`)
    .join(', ');
  return [
    `- Prices: ${prices.region} on-demand, table of ${prices.asOf} (\`tools/plan/prices-${prices.region}.json\`). ${prices.caveat}`,
    `- Users: ${a.activeShare * 100}% of registered users active per day, ${a.requestsPerActiveUserPerDay} API requests per active user per day, busiest hour ${a.peakToAverage}× the daily average → ${perUser.toFixed(5)} req/s per registered user at peak.`,
    `- Request mix: ${mix}. Cache hit rate ${a.cacheHitRate * 100}% on user reads where the stage has Redis; sessions in Redis there, else in PostgreSQL.`,
    `- API per-core req/s (${throughput.description}): ${perCore}. A cloud vCPU is taken as ${a.cpuSpeedFactor}× a core of the benchmark machine.`,
    `- CPU headroom: fleets run at their target CPU at maximum size; a single instance at ${a.singleInstanceUtilisation * 100}%; databases at ${a.dbUtilisation * 100}%. Burstable (t4g) classes count only their baseline CPU share.`,
    `- Database: ${a.dbReadUnitsPerVcpuSecond} indexed reads or ${a.dbWriteUnitsPerVcpuSecond} small commits per vCPU per second (stated defaults, not measured in the cloud); a feed page counts as ${a.dbWork.feed.read} reads. Redis: ${a.cacheOpsPerShardSecond.toLocaleString('en-US')} ops/s per shard.`,
    `- Usage at the stage's label: ${a.storedPhotosPerUser} stored photos per user of ${a.photoMiB} MiB, ${a.imagesViewedPerActiveUserPerDay} images of ${a.servedImageMiB} MiB viewed per active user per day, ${a.apiResponseKiB} KiB per API response.`,
    `- Storage: photos stay on the instance's data volume until 1k (originals only); database rows with their indexes, in bytes: ${Object.entries(a.databaseBytesPerRow)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; ${a.followsPerUser} follows and ${a.likesPerUser} likes per user; at 1m one feed entry per photo of each followed account. S3 has no limit to reach.`,
    `- Connections: each API (and at 1m worker) process opens up to ${a.databasePoolSize} connections to each database server (DATABASE_POOL_SIZE's default); RDS max_connections is its default for the class (3 reserved), PostgreSQL on the instance its default ${a.instancePostgresMaxConnections}; ${a.redisConnectionsPerInstanceNode} connections per instance and Redis node against maxclients ${a.redisMaxClients.toLocaleString('en-US')}.`,
    `- Memory: system ${a.instanceSystemMiB} MiB, API ${a.apiProcessMiB} MiB, worker ${a.workerProcessMiB} MiB, PostgreSQL on the instance ${a.instancePostgresMiB} MiB before its page cache; ${a.databaseHotShare * 100}% of the database must stay in memory (on RDS ${a.rdsDataMemoryShare * 100}% of the class's memory holds data pages); Redis ${a.cacheBytesPerActiveUser} bytes per active user, ${a.cacheUsableShare * 100}% of a node usable. Memory limits are soft: past them reads go to disk and the CPU figures stop holding.`,
    `- When to climb: at ${a.climbAtShare * 100}% of the first limit, where its alarm fires: the rest is the time to carry out the next stage's runbook or deploy.`,
    `- Two regions (10m): the home region priced with the table above, the second (${secondRegion.region}, the example regions' second) with ${secondPrices}. ${a.secondRegionRequestShare * 100}% of the requests are served there. Data between the regions is billed by the region that sends it, at its inter-region rate: home's for the replication (each write unit ships ${a.walBytesPerWriteUnit} bytes of WAL to its cross-region replica; every new photo, and thumbnail, is copied once), the second region's for the writes it forwards home (${a.forwardedWriteKiB} KiB each). Each cross-region replica is a Single-AZ instance of its class with its primary's allocated storage (no automated backups until promoted); the replica bucket stores every photo again. The second region's limits are not planned separately (its fleet and cache are sized like the home region's, its replicas serve its reads); the stage's users are the home primaries' limit, which a second region does not raise.`,
  ].join('\n');
}
