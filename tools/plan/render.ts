import type { Assumptions } from './assumptions';
import type { ThroughputSource } from './bench-throughput';
import type { PriceTable } from './price-table';
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

/** The per-stage Markdown table (the one the README copies). */
export function renderStageTable(plans: readonly StagePlan[]): string {
  const rows = [
    '| stage | provisions | monthly cost (min fleet → max fleet) | of which usage at the label | users it holds (CPU-bound) | bottleneck |',
    '|---|---|---|---|---|---|',
  ];
  for (const p of plans) {
    const cost = p.cost.totalAtMaxCapacityUsd > p.cost.totalUsd ? `${usd(p.cost.totalUsd)} → ${usd(p.cost.totalAtMaxCapacityUsd)}` : usd(p.cost.totalUsd);
    rows.push(`| \`${p.stage}\` | ${p.resources.join('; ')} | ${cost} | ${usd(p.cost.usageUsd)} | ${humanCount(p.capacity.usersHeld)} | ${p.capacity.bottleneck} |`);
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

/** The capacity tiers of one stage. */
export function renderTiers(plan: StagePlan): string {
  const rows = ['| tier | peak req/s it sustains | users |', '|---|---:|---:|'];
  for (const t of plan.capacity.tiers) rows.push(`| ${t.tier} | ${humanCount(t.peakRps)} | ${humanCount(t.users)} |`);
  return rows.join('\n');
}

/** The assumptions and sources, printed under the table so every figure can be traced. */
export function renderAssumptions(a: Assumptions, throughput: ThroughputSource, prices: PriceTable): string {
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
  ].join('\n');
}
