import { isStatefulType } from '../../../lib/resource-spec';
import { isRetiredAt, RUNBOOKS, retirements } from '../../../lib/transitions';
import { stageRange, stageIndex, type StageName } from '../../../stages/ladder';
import { ALL_STAGES, constructPath, STACKS, type StackKind, templateJson, withoutFingerprints } from './stage-templates';

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

describe('going up the ladder', () => {
  test.each(ALL_STAGES.slice(0, -1).map((s) => [s]))(
    'every stateful resource of stage %s keeps its stack, logical ID and type in every later stage (unless lib/transitions.ts retires it)',
    (stage) => {
      const later = stageRange(stage).slice(1);
      for (const s of statefulResources(stage)) {
        for (const next of later) {
          const found = (templateJson(next, s.stack).Resources as Record<string, any>)[s.logicalId];
          const expected = isRetiredAt(s.stack, s.path, next) ? 'retired' : s.type;
          expect({ resource: `${s.stack}/${s.path}`, at: next, now: found ? found.Type : 'retired' }).toEqual({
            resource: `${s.stack}/${s.path}`,
            at: next,
            now: expected,
          });
        }
      }
    },
  );

  test('the retirements are true: each exists in its step\'s lower stage and is gone from the upper one on', () => {
    for (const r of retirements()) {
      const [below, at] = r.step;
      expect(stageIndex(at)).toBe(stageIndex(below) + 1);
      const before = statefulResources(below).filter((s) => s.stack === r.stack && s.path === r.path);
      expect({ entry: r.path, before: before.length }).toEqual({ entry: r.path, before: 1 });
      for (const stage of stageRange(at)) {
        expect(statefulResources(stage).filter((s) => s.stack === r.stack && s.path === r.path)).toEqual([]);
      }
      expect(r.why.length).toBeGreaterThan(40);
      expect(RUNBOOKS.map((runbook) => runbook.id)).toContain(r.runbook);
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

describe('snapshots (asset hashes normalized)', () => {
  test.each(ALL_STAGES.flatMap((stage) => STACKS.map((stack) => [stage, stack] as const)))('stage %s, %s stack', (stage, stack) => {
    expect(withoutFingerprints(templateJson(stage, stack))).toMatchSnapshot();
  });
});
