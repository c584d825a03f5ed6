import type { ScenarioProfile } from './profile-scenarios';

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
const perRequestUs = (p: ScenarioProfile) => (p.requests > 0 ? (p.summary.busyMs / p.requests) * 1000 : undefined);

/**
 * The committed summary of a `--profile` run: per scenario, CPU per request,
 * self time by category (library, our directory, Node, V8) and the functions
 * that cost most.
 */
export function renderProfiles(profiles: readonly ScenarioProfile[], header: readonly string[], topCategories = 12, topFunctions = 12): string {
  const lines = ['# Where the API spends its CPU, per scenario', '', ...header, ''];
  const byId = new Map(profiles.map((p) => [p.scenario.id, p]));
  for (const profile of profiles) {
    const { scenario, requests, errors, threads, summary } = profile;
    lines.push(`## ${scenario.side === 'baseline' ? '_baseline_ ' : ''}${scenario.id}: ${scenario.title}`, '');
    const baseline = scenario.baselineId ? byId.get(scenario.baselineId) : undefined;
    const mine = perRequestUs(profile);
    const theirs = baseline && perRequestUs(baseline);
    if (mine !== undefined && theirs !== undefined) lines.push(`CPU per request: ${mine.toFixed(0)} µs against ${theirs.toFixed(0)} µs for ${baseline!.scenario.id} (${(mine / theirs).toFixed(2)}×).`, '');
    lines.push(
      `${requests.toLocaleString('en-US')} requests${errors ? ` (${errors} errors)` : ''}, ${summary.busyMs.toFixed(0)} ms on CPU (${mine?.toFixed(0) ?? '?'} µs per request; ${threads} thread${threads === 1 ? '' : 's'}), idle ${summary.idleMs.toFixed(0)} ms.`,
      '',
      '| self time in | share | ms |',
      '|---|---:|---:|',
      ...summary.categories.slice(0, topCategories).map((c) => `| ${c.name} | ${pct(c.share)} | ${c.ms.toFixed(0)} |`),
      '',
      '| function | where | share |',
      '|---|---|---:|',
      ...summary.functions.slice(0, topFunctions).map((f) => `| ${f.name.replace(/\|/g, '\\|')} | ${f.where} | ${pct(f.share)} |`),
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}
