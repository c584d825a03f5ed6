import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LADDER, stageSpec } from '../../../stages/ladder';
import type { StageSpec } from '../../../stages/stage-spec';
import { type Assumptions, DEFAULT_ASSUMPTIONS, type PerCoreThroughput } from '../../../tools/plan/assumptions';
import { estimateCapacity } from '../../../tools/plan/capacity';
import { estimatedAlarms } from '../../../tools/plan/cost-model';
import { rdsMaxConnections } from '../../../tools/plan/instance-types';
import { dataVolumeGiB, databaseBytesPerUser, type Limit } from '../../../tools/plan/limits';

const PER_CORE: PerCoreThroughput = { userCached: 4000, userDb: 2000, feed: 1000, userPhotos: 1000, createPhoto: 500, login: 10 };
const A = DEFAULT_ASSUMPTIONS;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

function limit(spec: StageSpec, resource: RegExp, a: Assumptions = A): Limit {
  const found = estimateCapacity(spec, a, PER_CORE).limits.find((l) => resource.test(l.resource));
  if (!found) throw new Error(`stage ${spec.name} has no limit matching ${resource}`);
  return found;
}

/**
 * The committed template snapshots (test/lib/stacks), read as text: the plan
 * must count what the stacks make without synthesizing all seven stages here.
 */
const SNAPSHOTS = readFileSync(join(__dirname, '..', '..', 'lib', 'stacks', '__snapshots__', 'stacks.test.ts.snap'), 'utf8');
function snapshot(stage: string, stack: 'App' | 'Monitoring'): string {
  const start = SNAPSHOTS.indexOf(`stage ${stage}, ${stack} stack 1\`] = \``);
  if (start < 0) throw new Error(`no snapshot of stage ${stage}'s ${stack} stack`);
  return SNAPSHOTS.slice(start, SNAPSHOTS.indexOf('\n`;\n', start));
}

describe('limits beside CPU', () => {
  test('stages 1 to 100 fill their 20 GiB data volume at about 380 users (27 photos × 2 MiB each), long before their CPU', () => {
    for (const stage of ['1', '10', '100'] as const) {
      const spec = stageSpec(stage);
      const est = estimateCapacity(spec, A, PER_CORE);
      const perUser = 27 * 2 * MIB + (stage === '1' ? databaseBytesPerUser(spec, A) : 0);
      expect(est.firstLimit.resource).toBe('data volume (20 GiB EBS)');
      expect(est.usersHeld).toBeCloseTo((20 * GIB) / perUser, 6);
      expect(Math.round(est.usersHeld)).toBeGreaterThanOrEqual(378);
      expect(Math.round(est.usersHeld)).toBeLessThanOrEqual(380);
      expect(est.climbAtUsers).toBeCloseTo(0.8 * est.usersHeld, 6);
      expect(est.cpuUsersHeld).toBeGreaterThan(100 * est.usersHeld);
    }
    // Photos go to S3 at 1k: no data volume, no storage limit of S3's.
    expect(estimateCapacity(stageSpec('1k'), A, PER_CORE).limits.some((l) => l.resource.startsWith('data volume'))).toBe(false);
  });

  test('the data volume the plan sizes is the one the templates make (stage 1 from its spec, 10 and 100 the App stack default)', () => {
    for (const stage of ['1', '10', '100'] as const) {
      const sizes = [...snapshot(stage, 'App').matchAll(/"Size": (\d+),[\s\S]*?"Type": "AWS::EC2::Volume"/g)].map((m) => Number(m[1]));
      expect(sizes).toEqual([dataVolumeGiB(stageSpec(stage))]);
    }
    expect(dataVolumeGiB(stageSpec('1k'))).toBeUndefined();
  });

  test('RDS storage holds primaries × maximum allocated storage ÷ database bytes per user; fan-out adds a feed entry per followed photo', () => {
    const row = A.databaseBytesPerRow;
    const plain = row.user + 27 * row.photo + A.followsPerUser * row.follow + A.likesPerUser * row.like + row.session;
    expect(databaseBytesPerUser(stageSpec('100k'), A)).toBe(plain);
    expect(databaseBytesPerUser(stageSpec('1m'), A)).toBe(plain + 27 * A.followsPerUser * row.feedEntry);
    expect(limit(stageSpec('10'), /^RDS storage/).users).toBeCloseTo((100 * GIB) / plain, 6);
    expect(limit(stageSpec('1m'), /^RDS storage/).users).toBeCloseTo((4 * 4000 * GIB) / databaseBytesPerUser(stageSpec('1m'), A), 3);
  });

  test("a fleet's database connections are pool × processes per instance on every server; users scale with the instances max_connections admits", () => {
    // 1k: db.t4g.small, 2 GiB → 225; (225 - 3 reserved) / 10 per instance = 22 instances against a maximum of 4.
    const spec = stageSpec('1k');
    const api = estimateCapacity(spec, A, PER_CORE).tiers.find((t) => t.tier === 'api')!;
    expect(rdsMaxConnections('db.t4g.small')).toBe(225);
    expect(limit(spec, /^RDS max_connections/).users).toBeCloseTo((api.users * 22) / 4, 3);
    // 1m: the worker runs beside the API, 20 per instance: (3604 - 3) / 20 = 180 instances.
    expect(limit(stageSpec('1m'), /^RDS max_connections/).detail).toContain('800 at 40 instances, room for 180');
    // A single instance's one pool does not grow with users.
    expect(limit(stageSpec('10'), /^RDS max_connections/).users).toBe(Number.POSITIVE_INFINITY);
    expect(limit(stageSpec('1'), /^PostgreSQL max_connections/).users).toBe(Number.POSITIVE_INFINITY);
    // A pool the server cannot hold is a limit at zero users.
    expect(limit(stageSpec('10'), /^RDS max_connections/, { ...A, databasePoolSize: 200 }).users).toBe(0);
  });

  test("max_connections per class is the figure the connections alarms are set from (the templates' 80% alarm)", () => {
    for (const spec of LADDER) {
      if (spec.database.kind !== 'rds') continue;
      const quoted = [...snapshot(spec.name, 'Monitoring').matchAll(/connections above 80% of max_connections \((\d+)\)/g)].map((m) => Number(m[1]));
      expect(new Set(quoted)).toEqual(new Set([rdsMaxConnections(spec.database.instanceClass)]));
    }
  });

  test('memory: RDS holds primaries × its data pages ÷ the hot bytes per user; fleet instances keep no per-user state; Redis by active users', () => {
    const spec = stageSpec('1m');
    const hot = databaseBytesPerUser(spec, A) * A.databaseHotShare;
    expect(limit(spec, /^RDS memory/).users).toBeCloseTo((4 * 32 * GIB * A.rdsDataMemoryShare) / hot, 3);
    expect(limit(spec, /^each fleet instance memory/).users).toBe(Number.POSITIVE_INFINITY);
    expect(limit(spec, /^Redis memory/).users).toBeCloseTo((4 * 13.07 * GIB * A.cacheUsableShare) / (A.activeShare * A.cacheBytesPerActiveUser), 3);
    // Stage 1: PostgreSQL's hot data gets what the system, the API and PostgreSQL itself leave of 2 GiB.
    const left = 2048 - A.instanceSystemMiB - A.apiProcessMiB - A.instancePostgresMiB;
    expect(limit(stageSpec('1'), /^instance memory/).users).toBeCloseTo((left * MIB) / (databaseBytesPerUser(stageSpec('1'), A) * A.databaseHotShare), 3);
  });

  test('users held is the first limit of all kinds, and every stage names one', () => {
    for (const spec of LADDER) {
      const est = estimateCapacity(spec, A, PER_CORE);
      expect(est.usersHeld).toBe(Math.min(...est.limits.map((l) => l.users)));
      expect(est.limits).toContain(est.firstLimit);
      expect(Number.isFinite(est.usersHeld)).toBe(true);
      expect(new Set(est.limits.map((l) => l.kind))).toEqual(new Set(['cpu', 'storage', 'connections', 'memory']));
    }
  });

  test('the alarms priced are the alarms the Monitoring stack makes, stage by stage', () => {
    for (const spec of LADDER) {
      const alarms = snapshot(spec.name, 'Monitoring').match(/"Type": "AWS::CloudWatch::Alarm"/g) ?? [];
      expect([spec.name, estimatedAlarms(spec)]).toEqual([spec.name, alarms.length]);
    }
  });
});
