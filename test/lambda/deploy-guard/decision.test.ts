import { decide, type GuardRequest } from '../../../lambda/deploy-guard/decision';
import { RUNBOOKS } from '../../../lib/transitions';
import { STAGE_NAMES } from '../../../stages/ladder';

/** The guard's properties as the app writes them: the ladder and every runbook's steps. */
const ladder = [...STAGE_NAMES];
const runbookSteps = RUNBOOKS.flatMap((runbook) => runbook.steps.map(([from, to]) => ({ runbook: runbook.id, from, to, file: runbook.file })));
const request = (from: string | undefined, to: string, confirm?: string): GuardRequest => ({ stack: 'graminsta-Data', from, to, confirm, ladder, runbookSteps });

/**
 * Written out by hand, not derived: the upward steps a plain deploy may take
 * (they cross no data move), and for the rest the one runbook whose id
 * confirms them; a step crossing two runbooks is never confirmable.
 */
const PLAIN = ['10 → 100', '1k → 10k', '1k → 100k', '10k → 100k'];
const ONE_RUNBOOK: Record<string, string> = {
  '1 → 10': '1-to-10',
  '1 → 100': '1-to-10',
  '10 → 1k': '100-to-1k',
  '10 → 10k': '100-to-1k',
  '10 → 100k': '100-to-1k',
  '100 → 1k': '100-to-1k',
  '100 → 10k': '100-to-1k',
  '100 → 100k': '100-to-1k',
  '1k → 1m': '100k-to-1m',
  '10k → 1m': '100k-to-1m',
  '100k → 1m': '100k-to-1m',
  '1m → 10m': '1m-to-10m',
};
const upward = STAGE_NAMES.flatMap((from, i) => STAGE_NAMES.slice(i + 1).map((to) => [from, to] as const));
const downward = upward.map(([from, to]) => [to, from] as const);

describe('deploy guard: every stage pair', () => {
  test.each(upward.map(([from, to]) => [`${from} → ${to}`, from, to]))('up %s', (pair, from, to) => {
    const plain = decide(request(from, to));
    const runbook = ONE_RUNBOOK[pair];
    if (PLAIN.includes(pair)) {
      expect(plain.allowed).toBe(true);
      return;
    }
    expect(plain.allowed).toBe(false);
    if (runbook) {
      expect(decide(request(from, to, runbook)).allowed).toBe(true);
      // Another runbook's id, or the pair written out, does not confirm it.
      for (const other of ['1-to-10', '100-to-1k', '100k-to-1m', '1m-to-10m', `${from}-to-${to}`].filter((id) => id !== runbook)) {
        expect({ other, allowed: decide(request(from, to, other)).allowed }).toEqual({ other, allowed: false });
      }
    } else {
      // Crosses two or three data moves: one runbook at a time, whatever the confirmation.
      for (const id of ['1-to-10', '100-to-1k', '100k-to-1m', '1m-to-10m', `${from}-to-${to}`]) expect(decide(request(from, to, id)).allowed).toBe(false);
    }
  });

  test('the table covers the 28 upward pairs', () => {
    const covered = upward.map(([f, t]) => `${f} → ${t}`).filter((pair) => PLAIN.includes(pair) || ONE_RUNBOOK[pair]);
    expect(covered).toHaveLength(PLAIN.length + Object.keys(ONE_RUNBOOK).length);
    expect(upward).toHaveLength(28);
  });

  test.each(downward.map(([from, to]) => [`${from} → ${to}`, from, to]))('down %s: only with -c confirm=<from>-to-<to>', (_pair, from, to) => {
    expect(decide(request(from, to)).allowed).toBe(false);
    expect(decide(request(from, to, `${from}-to-${to}`)).allowed).toBe(true);
    expect(decide(request(from, to, `${to}-to-${from}`)).allowed).toBe(false);
  });

  test.each(STAGE_NAMES.map((stage) => [stage]))('stage %s: a first deploy, a same-stage deploy and a rollback go ahead', (stage) => {
    expect(decide(request(undefined, stage)).allowed).toBe(true);
    expect(decide(request(stage, stage)).allowed).toBe(true);
    expect(decide({ ...request('1m', stage), rollingBack: true }).allowed).toBe(true);
  });
});

describe('deploy guard: what a user reads', () => {
  const message = (from: string, to: string, confirm?: string) => {
    const decision = decide(request(from, to, confirm));
    return decision.allowed ? undefined : decision.message;
  };

  test('a plain deploy across one data move names the runbook and its confirmation', () => {
    expect(message('1', '10')).toBe(
      'graminsta-Data: stage 1 → 10 moves data that a plain deploy would lose. Follow the runbook for 1 → 10 (docs/runbooks/1-to-10.md, -c confirm=1-to-10): ' +
        'its deploy commands carry the confirmation once the data is moved. Nothing was changed.',
    );
  });

  test('a skip across two data moves says to go one runbook at a time', () => {
    expect(message('1', '1k', '1-to-10')).toBe(
      'graminsta-Data: stage 1 → 1k moves data that a plain deploy would lose. Go one runbook at a time: ' +
        '1 → 10 (docs/runbooks/1-to-10.md, -c confirm=1-to-10), then 100 → 1k (docs/runbooks/100-to-1k.md, -c confirm=100-to-1k). Nothing was changed.',
    );
  });

  test('a step down points at the rollback sections', () => {
    expect(message('10', '1')).toBe(
      "graminsta-Data: stage 10 → 1 goes down the ladder. Going back is a runbook's rollback section, which says when it is safe and deploys with -c confirm=10-to-1. Nothing was changed.",
    );
  });

  test('a stage this app does not know (a newer app deployed before) counts as a step down; an unknown target is refused', () => {
    expect(message('100m', '10m')).toMatch(/^graminsta-Data: stage 100m → 10m goes down the ladder/);
    expect(message('1', '2')).toBe('graminsta-Data: unknown stage "2" (stages: 1, 10, 100, 1k, 10k, 100k, 1m, 10m). Nothing was changed.');
  });
});
