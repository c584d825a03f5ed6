import type { StageChangeReport } from './stage-change';
import type { StackReview } from './transition';
import { describeImpact } from './transition';
import { RUNBOOKS } from '../../lib';
import { formatSeconds, longestOutageSeconds } from './interruptions';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function table(rows: readonly (readonly string[])[]): string[] {
  if (rows.length === 0) return [];
  const [header, ...body] = rows;
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((row) => `| ${row.map(cell).join(' | ')} |`)];
}

function usd(value: number): string {
  const sign = value < 0 ? '-' : value > 0 ? '+' : '';
  return `${sign}$${Math.abs(value).toFixed(2)}`;
}

function runbookLink(id: string): string {
  const runbook = RUNBOOKS.find((r) => r.id === id);
  return runbook ? `[${id}](${runbook.file})` : id;
}

function stackSection(stack: StackReview): string[] {
  const lines = [`## ${stack.stack}`, ''];
  if (stack.changes.length === 0) return [...lines, 'No resource changes.', ''];
  const counts = ['add', 'update', 'replace', 'may-replace', 'destroy', 'orphan']
    .map((impact) => [impact, stack.changes.filter((c) => c.impact === impact).length] as const)
    .filter(([, n]) => n > 0)
    .map(([impact, n]) => `${n} ${impact}`);
  lines.push(`${counts.join(', ')}.`, '');
  lines.push(
    ...table([
      ['resource', 'type', 'impact', 'stateful', 'why', 'runbook'],
      ...stack.changes.map((c) => [
        c.logicalId,
        c.type,
        c.atRisk ? `**${c.impact}**` : c.impact,
        c.stateful ? 'yes' : 'no',
        c.why.join('; '),
        c.runbook ? runbookLink(c.runbook) : c.atRisk ? '**none**' : '',
      ]),
    ]),
    '',
  );
  if (stack.iam.length > 1) lines.push('IAM changes:', '', ...table(stack.iam), '');
  if (stack.securityGroups.length > 1) lines.push('Security group changes:', '', ...table(stack.securityGroups), '');
  return lines;
}

/** The review as Markdown, for a pull request or a change ticket. */
export function toMarkdown(report: StageChangeReport): string {
  const lines = [`# Stage change review: ${report.baseline} → stage ${report.to}`, ''];
  const longest = longestOutageSeconds(report.interruptions);
  const verdicts = {
    safe: '**Verdict: safe to deploy**: no interruption expected.',
    'safe-with-interruption': `**Verdict: safe to deploy, with an interruption**${longest > 0 ? ` of up to ~${formatSeconds([longest, longest])}` : ' (degraded service, no outage)'}: see Interruptions below.`,
    'needs-runbook': '**Verdict: needs a runbook**: safe only by following the runbooks below, in order.',
    unsafe: `**Verdict: UNSAFE** (${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}).`,
  } as const;
  lines.push(verdicts[report.verdict], '');
  if (report.problems.length > 0) {
    lines.push('## Problems', '', ...report.problems.map((p) => `- \`${p.rule}\` ${p.stack}${p.logicalId ? `/${p.logicalId}` : ''}: ${p.message}`), '');
  }
  if (report.review.warnings.length > 0) {
    lines.push('## Warnings', '', ...report.review.warnings.map((p) => `- \`${p.rule}\` ${p.stack}/${p.logicalId}: ${p.message}`), '');
  }
  const atRisk = report.review.stacks.flatMap((s) => s.changes).filter((c) => c.atRisk);
  lines.push('## Stateful resources at risk', '');
  if (atRisk.length === 0) lines.push('None.', '');
  else lines.push(...atRisk.map((c) => `- ${c.stack}/${c.logicalId} (${c.type}) would be ${describeImpact(c.impact)}: ${c.runbook ? `covered by ${runbookLink(c.runbook)}` : '**no runbook**'}`), '');
  lines.push('## Interruptions', '');
  if (report.interruptions.length === 0) lines.push('None expected.', '');
  else {
    lines.push(
      ...table([
        ['resource', 'kind', 'expected duration', 'effect', 'source'],
        ...report.interruptions.map((i) => [`${i.stack}/${i.logicalId}`, i.kind, i.kind === 'risk' ? '-' : formatSeconds(i.seconds), i.effect, i.source]),
      ]),
      '',
    );
  }
  lines.push('## Runbooks to follow', '');
  if (report.runbooks.length === 0) lines.push(report.from ? 'None: this change moves no data and needs no manual step.' : 'Unknown: pass `--from <stage>` to name the deployed stage.', '');
  else lines.push(...report.runbooks.map((r) => `- [${r.title}](${r.file})`), '');
  lines.push('## Monthly cost change', '');
  lines.push(report.cost ? `${usd(report.cost.deltaUsd)} per month ($${report.cost.fromUsd.toFixed(2)} → $${report.cost.toUsd.toFixed(2)}; ${report.cost.source}).` : 'Unknown (the deployed stage is not named; pass `--from <stage>`).', '');
  for (const stack of report.review.stacks) lines.push(...stackSection(stack));
  return `${lines.join('\n').trimEnd()}\n`;
}
