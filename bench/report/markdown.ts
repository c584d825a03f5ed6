import { type BenchReport, type ScenarioResult, type TargetCheckResult, type TargetResult, type TargetVerdict, targetVerdict } from '../../contracts/bench-results';
import { perCoreRatio } from './summarize';

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const pct = (v: number) => `${(v * 100).toFixed(0)}%`;

/** Bold unless met: a target not met and one not measured both need a reader's attention. */
const verdictText = (verdict: TargetVerdict) => (verdict === 'met' ? verdict : `**${verdict}**`);

/** Each check with its verdict and the figure judged; a file written before checks: its one verdict and text. */
export function renderTarget(target: TargetResult): string {
  if (!target.checks) return `${verdictText(targetVerdict(target))}: ${target.text}`;
  const figure = (c: TargetCheckResult) => (c.value === undefined ? '' : ` (${c.measure === 'p99' ? `${ms(c.value)} ms` : pct(c.value)})`);
  return target.checks.map((c) => `${c.text}: ${verdictText(c.verdict)}${figure(c)}`).join('; ');
}

/** The CPU comparisons under the table: both sums and their ratio, with the target's verdict. */
function renderCpuComparisons(results: readonly ScenarioResult[]): string[] {
  const compared = results.filter((r) => r.cpuComparison);
  if (compared.length === 0) return [];
  return [
    'CPU per request, API + PostgreSQL, against the scenario each is compared with in this run:',
    '',
    ...compared.map((r) => {
      const c = r.cpuComparison!;
      return `- ${r.id}: ${c.msPerRequest.toFixed(3)} ms vs ${c.scenarioId}: ${c.referenceMsPerRequest.toFixed(3)} ms = ${pct(c.ratio)}${r.target ? ` (${renderTarget(r.target)})` : ''}`;
    }),
    '',
  ];
}

/** The benchmark report as Markdown: one table of every figure, ratios to baselines, targets, then the machine and notes. */
export function renderMarkdown(report: BenchReport): string {
  const byId = new Map(report.results.map((r) => [r.id, r]));
  const rows = [
    '| scenario | conns | req/s | p50 ms | p99 ms | baseline (req/s) | ratio | target | server CPU ms/req | per-core ratio | PG CPU ms/req | errors |',
    '|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|',
  ];
  for (const r of report.results.filter((x) => !x.comparesWith)) {
    const baseline = r.baselineId ? byId.get(r.baselineId) : undefined;
    const target = r.target ? renderTarget(r.target) : '';
    const perCore = baseline ? perCoreRatio(r, baseline) : undefined;
    rows.push(
      `| ${r.side === 'baseline' ? '_baseline_: ' : ''}${r.title} | ${r.connections} | ${n0(r.requestsPerSecond)} | ${ms(r.latencyMs.p50)} | ${ms(r.latencyMs.p99)} | ${baseline ? `${baseline.id} (${n0(baseline.requestsPerSecond)})` : ''} | ${r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(0)}%`} | ${target} | ${r.cpu.serverMsPerRequest.toFixed(3)} | ${perCore === undefined ? '' : pct(perCore)} | ${r.cpu.postgresMsPerRequest.toFixed(3)} | ${r.errors === 0 ? '0' : `**${r.errors}** (${Object.entries(r.errorKinds).map(([k, v]) => `${k}: ${v}`).join(', ')})`} |`,
    );
  }
  const m = report.machine;
  const perCore = Object.entries(report.perCore)
    .map(([k, v]) => `${k} ${n0(v as number)}`)
    .join(', ');
  return [
    `# Benchmark: API vs baselines (${report.generatedAt})`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, Node.js ${m.node}, ${m.platform}; load average at start ${m.loadAverage.map((l) => l.toFixed(2)).join(' / ')}.`,
    `Data set: ${n0(report.dataSet.users)} users, ${n0(report.dataSet.photos)} photos, ${n0(report.dataSet.follows)} follows.`,
    '',
    rows.join('\n'),
    '',
    report.hashing ? `Password hashing (${report.hashing.algorithm}): ${report.hashing.hashesPerSecondPerCore.toFixed(1)} hashes/s on one core.` : '',
    '',
    'ratio: req/s over the baseline\'s req/s (the issue\'s measure). per-core ratio: requests per CPU second of the server process over the baseline\'s, which does not depend on how the cores were shared at that moment. A target is checked on these medians; it is not measured when its baseline or reference did not run in this run (`--only`) or failed requests, and not met when the scenario itself failed any.',
    '',
    ...renderCpuComparisons(report.results),
    ...renderShardLayout(report),
    ...(report.queryPlans?.length
      ? ['Feed query on the seeded data for the reader (EXPLAIN ANALYZE, warm, median):', '', ...report.queryPlans.map((q) => `- ${q.name}: ${q.medianExecutionMs.toFixed(2)} ms (${q.scan})`), '']
      : []),
    `Per-core figures for \`npm run plan\` (requests per CPU second of the API process): ${perCore || 'none (errors in every run)'}.`,
    '',
    ...report.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}

/** The shard-layout section: each scenario on N servers next to its one-server twin, with the ratios. */
export function renderShardLayout(report: BenchReport): string[] {
  const layout = report.shardLayout;
  const pairs = report.results.filter((r) => r.comparesWith && r.layoutRatio);
  if (!layout || pairs.length === 0) return [];
  const byId = new Map(report.results.map((r) => [r.id, r]));
  const n = layout.servers.length;
  const rows = [
    `| scenario | conns | one server req/s | ${n} servers req/s | req/s ratio | one server p99 ms | ${n} servers p99 ms | p99 ratio | API CPU ms/req (one / ${n}) | PG CPU ms/req (one / ${n}) | errors (one / ${n}) |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of pairs) {
    const one = byId.get(r.comparesWith!)!;
    rows.push(
      `| ${one.title} | ${r.connections} | ${n0(one.requestsPerSecond)} | ${n0(r.requestsPerSecond)} | ${pct(r.layoutRatio!.requestsPerSecond)} | ${ms(one.latencyMs.p99)} | ${ms(r.latencyMs.p99)} | ${pct(r.layoutRatio!.p99)} | ${one.cpu.serverMsPerRequest.toFixed(3)} / ${r.cpu.serverMsPerRequest.toFixed(3)} | ${one.cpu.postgresMsPerRequest.toFixed(3)} / ${r.cpu.postgresMsPerRequest.toFixed(3)} | ${one.errors} / ${r.errors} |`,
    );
  }
  const servers = layout.servers.map((s) => `${s.name} (logical shards ${s.shards[0]}-${s.shards[1]}: ${Object.entries(s.rows).map(([t, v]) => `${n0(v)} ${t}`).join(', ')})`);
  return [
    `## ${n}-server shard layout vs one server`,
    '',
    `The same data set over ${n} PostgreSQL servers, each holding only the rows it owns: ${servers.join('; ')}. The API runs with the same settings as its one-server twin plus a SHARD_MAP of the ${n} servers; each pair ran back to back.`,
    '',
    rows.join('\n'),
    '',
    `ratio: ${n}-server figure over the one-server figure. CPU per request (the API process; all PostgreSQL servers of the layout together) depends less than req/s on how the cores were shared at that moment. All ${n + 1} PostgreSQL servers share this machine's cores with the API and autocannon, so the layout adds no CPU: the ratio measures what routing by shard and merging across servers costs, not the capacity a second machine adds.`,
    '',
  ];
}
