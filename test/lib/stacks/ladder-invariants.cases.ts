import { RETIRED_RESOURCES } from '../../../lib/retired-resources';
import { isStatefulType } from '../../../lib/resource-spec';
import { STAGE_NAMES, type StageName } from '../../../stages/ladder';
import { ALL_STAGES, constructPath, STACKS, type StackKind, templateJson } from './stage-templates';

interface Stateful {
  readonly stack: StackKind;
  readonly logicalId: string;
  readonly type: string;
  readonly path: string;
}

function statefulResources(stage: StageName): Stateful[] {
  return STACKS.flatMap((stack) =>
    Object.entries(templateJson(stage, stack).Resources as Record<string, any>)
      .filter(([, r]) => isStatefulType(r.Type))
      .map(([logicalId, r]) => ({ stack, logicalId, type: r.Type, path: constructPath(r) })),
  );
}

const retiredBy = (s: Stateful, stage: StageName) =>
  RETIRED_RESOURCES.some((r) => r.stack === s.stack && r.path === s.path && STAGE_NAMES.indexOf(r.retiredAt) <= STAGE_NAMES.indexOf(stage));

describe('going up the ladder', () => {
  test.each(ALL_STAGES.slice(0, -1).map((s) => [s]))(
    'every stateful resource of stage %s keeps its stack, logical ID and type in every later stage (unless listed as retired)',
    (stage) => {
      const later = STAGE_NAMES.slice(STAGE_NAMES.indexOf(stage) + 1);
      for (const s of statefulResources(stage)) {
        for (const next of later) {
          const found = (templateJson(next, s.stack).Resources as Record<string, any>)[s.logicalId];
          const expected = retiredBy(s, next) ? 'retired' : s.type;
          expect({ resource: `${s.stack}/${s.path}`, at: next, now: found ? found.Type : 'retired' }).toEqual({
            resource: `${s.stack}/${s.path}`,
            at: next,
            now: expected,
          });
        }
      }
    },
  );

  test('the retired list is true: each entry exists just below its stage and is gone from it on', () => {
    for (const r of RETIRED_RESOURCES) {
      const at = STAGE_NAMES.indexOf(r.retiredAt);
      const before = statefulResources(STAGE_NAMES[at - 1]).filter((s) => s.stack === r.stack && s.path === r.path);
      expect({ entry: r.path, before: before.length }).toEqual({ entry: r.path, before: 1 });
      for (const stage of STAGE_NAMES.slice(at)) {
        expect(statefulResources(stage).filter((s) => s.stack === r.stack && s.path === r.path)).toEqual([]);
      }
      expect(r.reason.length).toBeGreaterThan(40);
      expect(r.runbook).toMatch(/^docs\/runbooks\/.+\.md$/);
    }
  });

  test.each(ALL_STAGES.map((s) => [s]))('stage %s: every stateful resource is retained or snapshotted on deletion and on replacement', (stage) => {
    for (const s of statefulResources(stage)) {
      const r = (templateJson(stage, s.stack).Resources as Record<string, any>)[s.logicalId];
      expect({ resource: `${s.stack}/${s.path}`, deletion: ['Retain', 'Snapshot'].includes(r.DeletionPolicy), replace: ['Retain', 'Snapshot'].includes(r.UpdateReplacePolicy) }).toEqual({
        resource: `${s.stack}/${s.path}`,
        deletion: true,
        replace: true,
      });
    }
  });

  test.each(ALL_STAGES.map((s) => [s]))('stage %s: no stack exports anything, so no export can block a later deploy', (stage) => {
    for (const stack of STACKS) {
      const outputs = (templateJson(stage, stack).Outputs ?? {}) as Record<string, any>;
      expect(Object.entries(outputs).filter(([, o]) => o.Export)).toEqual([]);
    }
  });

  test.each(ALL_STAGES.map((s) => [s]))('stage %s: no secret value appears in any template', (stage) => {
    for (const stack of STACKS) {
      const text = JSON.stringify(templateJson(stage, stack));
      expect(text).not.toMatch(/"(MasterUserPassword|AuthToken)":\s*"[^{]/);
      expect(text).not.toMatch(/password=/i);
    }
  });
});

/** The fleet's user data carries a hash of its cfn-init config (which names the bundle's asset hash): normalized too. */
function withoutFingerprints(template: Record<string, any>): Record<string, any> {
  return JSON.parse(JSON.stringify(template).replace(/# fingerprint: [0-9a-f]+/g, '# fingerprint: [FINGERPRINT]'));
}

describe('snapshots (asset hashes normalized)', () => {
  test.each(ALL_STAGES.flatMap((stage) => STACKS.map((stack) => [stage, stack] as const)))('stage %s, %s stack', (stage, stack) => {
    expect(withoutFingerprints(templateJson(stage, stack))).toMatchSnapshot();
  });
});
