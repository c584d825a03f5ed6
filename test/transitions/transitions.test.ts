import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthStage } from '../../lib/synth';
import { STAGE_NAMES, stageSpec, type StageName } from '../../stages/ladder';
import { reviewTransition, type TransitionReview } from '../../tools/review/transition';
import { publicEntryOf } from '../../tools/review/public-entry';
import { PLANNED_CHANGES, RUNBOOKS, runbooksBetween } from '../../lib/transitions';
import { allowedChangesBetween } from '../../tools/review/allowed-changes';
import type { StackTemplates } from '../../tools/review/template';
import { renderStagesDoc } from '../../tools/diagrams/stages-doc';
import { reviewStageChange } from '../../tools/review/stage-change';
import { toJson } from '../../tools/review/report-json';
import { toMarkdown } from '../../tools/review/report-markdown';

const ROOT = join(__dirname, '../..');
const templates = {} as Record<StageName, StackTemplates>;
const pairs: [StageName, StageName][] = STAGE_NAMES.flatMap((a, i) => STAGE_NAMES.slice(i + 1).map((b): [StageName, StageName] => [a, b]));
const reviews = new Map<string, TransitionReview>();

function review(a: StageName, b: StageName): TransitionReview {
  const key = `${a}->${b}`;
  if (!reviews.has(key)) {
    reviews.set(key, reviewTransition({ before: templates[a], after: templates[b], entry: publicEntryOf(stageSpec(b)), allowed: allowedChangesBetween(a, b, [templates[a], templates[b]]) }));
  }
  return reviews.get(key)!;
}

beforeAll(() => {
  // Each stage is synthesized once for this file (lib/synth.ts caches per process).
  for (const stage of STAGE_NAMES) templates[stage] = synthStage(stage);
}, 600_000);

describe('every upward stage change, including skips (28 pairs)', () => {
  test.each(pairs)('%s → %s loses no data without a runbook, keeps retention, exports and ports safe', (a, b) => {
    const result = review(a, b);
    expect(result.problems).toEqual([]);
  });

  test.each(pairs)('%s → %s keeps the same CloudFront distribution (the users\' domain): updated at most, never replaced', (a, b) => {
    const distribution = review(a, b)
      .stacks.flatMap((s) => s.changes)
      .filter((c) => c.type === 'AWS::CloudFront::Distribution');
    expect(distribution.map((c) => `${c.logicalId} ${c.impact}`).filter((c) => !c.endsWith(' update'))).toEqual([]);
  });

  test.each(pairs)('%s → %s: every destructive change it allows names a runbook on that path', (a, b) => {
    const onPath = new Set(runbooksBetween(a, b).map((r) => r.id));
    const allowed = review(a, b)
      .stacks.flatMap((s) => s.changes)
      .filter((c) => c.runbook);
    for (const change of allowed) expect(onPath).toContain(change.runbook);
  });
});

describe('the cache at 100k → 1m', () => {
  const cacheChange = (after: StackTemplates) =>
    reviewTransition({ before: templates['100k'], after, entry: publicEntryOf(stageSpec('1m')), allowed: allowedChangesBetween('100k', '1m', [templates['100k'], after]) })
      .stacks.flatMap((s) => s.changes)
      .find((c) => c.type === 'AWS::ElastiCache::ReplicationGroup');

  test('reshards online (UpdatePolicy UseOnlineResharding), so its data and endpoint stay: an update, not a replacement', () => {
    const change = cacheChange(templates['1m'])!;
    expect(change.impact).toBe('update');
    expect(change.why.join(' ')).toMatch(/NumNodeGroups changes 2 → 4: ElastiCache reshards the cluster online/);
  });

  test('without that update policy the same change replaces the cache, and the step is unsafe', () => {
    const after = structuredClone(templates['1m']) as Record<string, any>;
    for (const template of Object.values(after)) {
      for (const resource of Object.values(template.Resources as Record<string, any>)) if (resource.Type === 'AWS::ElastiCache::ReplicationGroup') delete resource.UpdatePolicy;
    }
    expect(cacheChange(after)!.impact).toBe('replace');
    const result = reviewTransition({ before: templates['100k'], after, entry: publicEntryOf(stageSpec('1m')), allowed: allowedChangesBetween('100k', '1m', [templates['100k'], after]) });
    expect(result.problems.map((p) => p.rule)).toContain('stateful-at-risk');
  });
});

describe('runbooks', () => {
  test.each(RUNBOOKS.map((r) => [r.id, r.file] as const))('%s (%s) has pre-checks, steps, verification and rollback', (_id, file) => {
    expect(existsSync(join(ROOT, file))).toBe(true);
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const heading of ['## Pre-checks', '## Steps', '## Verification', '## Rollback']) expect(text).toContain(heading);
  });

  test('the issue’s three data moves have runbooks: 1 → 10, 10 → 1k, 100k → 1m', () => {
    expect(runbooksBetween('1', '10').map((r) => r.id)).toEqual(['1-to-10']);
    expect(runbooksBetween('10', '1k').map((r) => r.id)).toEqual(['100-to-1k']);
    expect(runbooksBetween('100k', '1m').map((r) => r.id)).toEqual(['100k-to-1m']);
    expect(runbooksBetween('1', '1m').map((r) => r.id)).toEqual(['1-to-10', '100-to-1k', '100k-to-1m']);
  });

  test('the review finds each planned change of lib/transitions.ts by its construct path, at its step, under the logical ID the runbooks name', () => {
    const found = PLANNED_CHANGES.map((planned) => {
      const [allowed] = allowedChangesBetween(planned.step[0], planned.step[1], [templates[planned.step[0]], templates[planned.step[1]]], [planned]);
      return `${planned.stack}/${planned.path} ${allowed?.logicalId}`;
    });
    expect(found).toEqual([
      'App/ApiServer/DataVolume/Resource ApiServerDataVolumeF42516C7',
      'App/ApiServer/Logs/Resource ApiServerLogsA40722D7',
      'Network/AWS679f53fac002430cb0da5b7982bd2287/LogGroup/Resource AWS679f53fac002430cb0da5b7982bd2287LogGroup449FB7C2',
      'Data/Database/Resource/Resource DatabaseF44359DD',
    ]);
  });

  test('every planned change is needed by its own step, names an existing runbook, and says why', () => {
    for (const entry of PLANNED_CHANGES) {
      expect(RUNBOOKS.map((r) => r.id)).toContain(entry.runbook);
      expect(entry.why.length).toBeGreaterThan(40);
      const used = review(entry.step[0], entry.step[1])
        .stacks.flatMap((s) => s.changes)
        .some((c) => c.path === `${c.stack}/${entry.path}` && c.runbook === entry.runbook && (entry.impacts as readonly string[]).includes(c.impact));
      expect({ entry: `${entry.stack}/${entry.path}`, used }).toEqual({ entry: `${entry.stack}/${entry.path}`, used: true });
    }
  });
});

describe('the checks bite on real templates', () => {
  function mutate(stage: StageName, edit: (copy: Record<string, any>) => void): StackTemplates {
    const copy = structuredClone(templates[stage]) as Record<string, any>;
    edit(copy);
    return copy;
  }
  function rulesOf(before: StackTemplates, after: StackTemplates, to: StageName): string[] {
    return reviewTransition({ before, after, entry: publicEntryOf(stageSpec(to)), allowed: [] }).problems.map((p) => `${p.rule}:${p.logicalId}`);
  }
  function findId(stage: StageName, stack: string, type: string): string {
    const [id] = Object.entries(templates[stage][stack].Resources ?? {}).find(([, r]) => r.Type === type)!;
    return id;
  }

  test('a renamed database construct is refused', () => {
    const db = findId('10k', 'graminsta-Data', 'AWS::RDS::DBInstance');
    const after = mutate('10k', (t) => {
      const resources = t['graminsta-Data'].Resources;
      resources.RenamedDatabase = resources[db];
      delete resources[db];
    });
    expect(rulesOf(templates['10k'], after, '10k')).toContain(`stateful-at-risk:${db}`);
  });

  test('flipping storage encryption on the database is refused', () => {
    const db = findId('10k', 'graminsta-Data', 'AWS::RDS::DBInstance');
    const after = mutate('10k', (t) => {
      t['graminsta-Data'].Resources[db].Properties.StorageEncrypted = false;
    });
    expect(rulesOf(templates['10k'], after, '10k')).toContain(`stateful-at-risk:${db}`);
  });

  test('a DB subnet group renamed under the database replaces the database (cascade) and is refused', () => {
    const db = findId('10k', 'graminsta-Data', 'AWS::RDS::DBInstance');
    const group = findId('10k', 'graminsta-Data', 'AWS::RDS::DBSubnetGroup');
    const after = mutate('10k', (t) => {
      t['graminsta-Data'].Resources[group].Properties.DBSubnetGroupName = 'renamed-subnet-group';
    });
    const result = reviewTransition({ before: templates['10k'], after, entry: publicEntryOf(stageSpec('10k')), allowed: [] });
    const change = result.stacks.flatMap((s) => s.changes).find((c) => c.logicalId === db);
    expect(change).toMatchObject({ impact: 'replace', atRisk: true, cascadeFrom: [group] });
    expect(result.problems.map((p) => p.logicalId)).toContain(db);
  });

  test('a removed stack output that another stack imports is refused', () => {
    // The stages use weak references (Fn::GetStackOutput); a strong export/import is built here to prove that rule too.
    const before = mutate('10k', (t) => {
      t['graminsta-Network'].Outputs.StrongVpc = { Value: { Ref: findId('10k', 'graminsta-Network', 'AWS::EC2::VPC') }, Export: { Name: 'graminsta-Network:VpcId' } };
      t['graminsta-App'].Outputs = { ...(t['graminsta-App'].Outputs ?? {}), UsesVpc: { Value: { 'Fn::ImportValue': 'graminsta-Network:VpcId' } } };
    });
    expect(rulesOf(before, templates['10k'], '10k')).toContain('export-removed:StrongVpc');
  });

  test('a new port open to the world beyond the entry point is refused', () => {
    const group = findId('10k', 'graminsta-Network', 'AWS::EC2::SecurityGroup');
    const after = mutate('10k', (t) => {
      t['graminsta-Network'].Resources.OpenSsh = {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: { GroupId: { 'Fn::GetAtt': [group, 'GroupId'] }, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '0.0.0.0/0' },
      };
    });
    expect(rulesOf(templates['10k'], after, '10k')).toContain(`world-open-port:${group}`);
  });

  test('a stateful resource without a retain policy is refused', () => {
    const db = findId('10k', 'graminsta-Data', 'AWS::RDS::DBInstance');
    const after = mutate('10k', (t) => {
      t['graminsta-Data'].Resources[db].DeletionPolicy = 'Delete';
    });
    expect(rulesOf(templates['10k'], after, '10k')).toContain(`retention-policy:${db}`);
  });
});

describe('docs/stages.md', () => {
  test('is generated from the synthesized templates and up to date (npm run diagrams rewrites it)', () => {
    const current = readFileSync(join(ROOT, 'docs/stages.md'), 'utf8');
    const fresh = renderStagesDoc(templates);
    // A plain comparison prints a huge diff; say what to do instead.
    if (current !== fresh) throw new Error('docs/stages.md is out of date: run npm run diagrams');
    expect(fresh).toContain('```mermaid');
  });
});

describe('npm run review on the real stages', () => {
  const synth = (stage: StageName) => templates[stage];

  test('10k → 100k is safe: Markdown per stack with impacts, no stateful resource at risk, the cost change', async () => {
    const report = await reviewStageChange({ from: '10k', to: '100k', synth });
    expect(report.safe).toBe(true);
    const markdown = toMarkdown(report);
    expect(markdown).toMatch(/Verdict: safe to deploy/);
    expect(markdown).toMatch(/## graminsta-Data/);
    expect(markdown).toMatch(/AWS::ElastiCache::ReplicationGroup \| add/);
    expect(markdown).toMatch(/## Monthly cost change\n\n\+\$\d/);
  });

  test('100 → 1k names its runbook for the retired volume; the JSON has one entry per resource change', async () => {
    const report = await reviewStageChange({ from: '100', to: '1k', synth });
    expect(report.safe).toBe(true);
    expect(report.runbooks.map((r) => r.id)).toEqual(['100-to-1k']);
    const json = toJson(report) as { resources: { stack: string; logicalId: string; type: string; impact: string; stateful: boolean; why: string[]; runbook?: string }[] };
    expect(json.resources).toEqual(
      expect.arrayContaining([expect.objectContaining({ stack: 'graminsta-App', type: 'AWS::EC2::Volume', impact: 'orphan', stateful: true, runbook: '100-to-1k' })]),
    );
  });

  test('a deliberately broken deployed template (database renamed) makes the review unsafe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'review-broken-'));
    try {
      const deployed = structuredClone(templates['10k']) as Record<string, any>;
      const resources = deployed['graminsta-Data'].Resources;
      const [db] = Object.entries(resources).find(([, r]: [string, any]) => r.Type === 'AWS::RDS::DBInstance')!;
      resources.OldDatabaseName = resources[db];
      delete resources[db];
      for (const [stack, template] of Object.entries(deployed)) writeFileSync(join(dir, `${stack}.template.json`), JSON.stringify(template));
      const report = await reviewStageChange({ from: '10k', to: '10k', fromTemplate: dir, synth });
      expect(report.safe).toBe(false);
      expect(report.problems).toEqual(expect.arrayContaining([expect.objectContaining({ rule: 'stateful-at-risk', logicalId: 'OldDatabaseName' })]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
