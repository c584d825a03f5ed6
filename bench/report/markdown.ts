import type { BenchReport } from '../report-schema';

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));

/** The benchmark report as Markdown: one table of every figure, ratios to baselines, targets, then the machine and notes. */
export function renderMarkdown(report: BenchReport): string {
  const byId = new Map(report.results.map((r) => [r.id, r]));
  const rows = [
    '| scenario | conns | req/s | p50 ms | p99 ms | baseline (req/s) | ratio | target | server CPU ms/req | per-core ratio | PG CPU ms/req | errors |',
    '|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|',
  ];
  for (const r of report.results) {
    const baseline = r.baselineId ? byId.get(r.baselineId) : undefined;
    const target = r.target ? `${r.target.met ? 'met' : '**not met**'}: ${r.target.text}` : '';
    rows.push(
      `| ${r.side === 'baseline' ? '_baseline_: ' : ''}${r.title} | ${r.connections} | ${n0(r.requestsPerSecond)} | ${ms(r.latencyMs.p50)} | ${ms(r.latencyMs.p99)} | ${baseline ? `${baseline.id} (${n0(baseline.requestsPerSecond)})` : ''} | ${r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(0)}%`} | ${target} | ${r.cpu.serverMsPerRequest.toFixed(3)} | ${baseline && baseline.cpu.requestsPerServerCoreSecond > 0 ? `${((r.cpu.requestsPerServerCoreSecond / baseline.cpu.requestsPerServerCoreSecond) * 100).toFixed(0)}%` : ''} | ${r.cpu.postgresMsPerRequest.toFixed(3)} | ${r.errors === 0 ? '0' : `**${r.errors}** (${Object.entries(r.errorKinds).map(([k, v]) => `${k}: ${v}`).join(', ')})`} |`,
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
    'ratio: req/s over the baseline\'s req/s (the issue\'s measure). per-core ratio: requests per CPU second of the server process over the baseline\'s, which does not depend on how the cores were shared at that moment.',
    '',
    ...(report.queryPlans?.length
      ? ['Feed query on the seeded data for the reader (EXPLAIN ANALYZE, warm, median):', '', ...report.queryPlans.map((q) => `- ${q.name}: ${q.medianExecutionMs.toFixed(2)} ms (${q.scan})`), '']
      : []),
    `Per-core figures for \`npm run plan\` (requests per CPU second of the API process): ${perCore || 'none (errors in every run)'}.`,
    '',
    ...report.notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}
