import { stageSpec } from '../../../stages/ladder';
import type { StageSpec } from '../../../stages/stage-spec';
import { type Assumptions, DEFAULT_ASSUMPTIONS, type PerCoreThroughput, validateAssumptions } from '../../../tools/plan/assumptions';
import { apiCoreSecondsPerRequest, dataWorkPerRequest, estimateCapacity, peakRpsPerUser } from '../../../tools/plan/capacity';

const PER_CORE: PerCoreThroughput = { userCached: 4000, userDb: 2000, feed: 1000, userPhotos: 1000, createPhoto: 500, login: 10 };

// Only user reads, so each figure can be worked out by hand.
const READS_ONLY: Assumptions = {
  ...DEFAULT_ASSUMPTIONS,
  activeShare: 0.5,
  requestsPerActiveUserPerDay: 86_400,
  peakToAverage: 2,
  cacheHitRate: 0.75,
  cpuSpeedFactor: 1,
  mix: { userRead: 1, feed: 0, userPhotos: 0, createPhoto: 0, login: 0 },
};

function withFleet(spec: StageSpec, maxCapacity: number): StageSpec {
  if (spec.compute.kind !== 'fleet') throw new Error('not a fleet');
  return { ...spec, compute: { ...spec.compute, maxCapacity } };
}

describe('capacity arithmetic', () => {
  test('peak req/s per user = active share × requests per day × peak factor / 86 400', () => {
    expect(peakRpsPerUser(READS_ONLY)).toBe(1); // 0.5 × 86 400 × 2 / 86 400
    expect(peakRpsPerUser(DEFAULT_ASSUMPTIONS)).toBeCloseTo((0.25 * 150 * 3) / 86_400, 12);
  });

  test('API core-seconds weight each kind by its share; the cache hit rate splits user reads', () => {
    expect(apiCoreSecondsPerRequest(READS_ONLY, PER_CORE, false)).toBeCloseTo(1 / 2000, 12);
    expect(apiCoreSecondsPerRequest(READS_ONLY, PER_CORE, true)).toBeCloseTo(0.75 / 4000 + 0.25 / 2000, 12);
    const half: Assumptions = { ...READS_ONLY, mix: { userRead: 0, feed: 0.5, userPhotos: 0, createPhoto: 0, login: 0.5 } };
    expect(apiCoreSecondsPerRequest(half, PER_CORE, false)).toBeCloseTo(0.5 / 1000 + 0.5 / 10, 12);
  });

  test('the cache takes cached reads and sessions off the database', () => {
    expect(dataWorkPerRequest(READS_ONLY, false)).toEqual({ dbReads: 1, dbWrites: 0, cacheOps: 0 });
    const cached = dataWorkPerRequest(READS_ONLY, true);
    expect(cached.dbReads).toBeCloseTo(0.25, 12);
    expect(cached.cacheOps).toBeCloseTo(1.25, 12); // a GET each, a SET after each miss
    const logins: Assumptions = { ...READS_ONLY, mix: { userRead: 0, feed: 0, userPhotos: 0, createPhoto: 0, login: 1 } };
    expect(dataWorkPerRequest(logins, false)).toEqual({ dbReads: 1, dbWrites: 1, cacheOps: 0 });
    expect(dataWorkPerRequest(logins, true)).toEqual({ dbReads: 1, dbWrites: 0, cacheOps: 1 });
  });

  test('a single instance shares its sustained CPU between the API and PostgreSQL', () => {
    // t4g.small: 2 vCPUs at a 20% baseline, run at 50% → 0.2 core-seconds per second.
    const est = estimateCapacity(stageSpec('1'), READS_ONLY, PER_CORE);
    expect(est.tiers).toHaveLength(1);
    const perRequest = 1 / 2000 + 1 / READS_ONLY.dbReadUnitsPerVcpuSecond;
    expect(est.tiers[0].capacityPerSecond).toBeCloseTo(0.2, 12);
    expect(est.usersHeld).toBeCloseTo(0.2 / perRequest, 6);
    expect(est.bottleneck).toBe('single-instance');
  });

  test('the fleet tier scales with its maximum size', () => {
    const spec = stageSpec('1k');
    const api = (s: StageSpec) => estimateCapacity(s, READS_ONLY, PER_CORE).tiers.find((t) => t.tier === 'api')!;
    expect(api(withFleet(spec, 8)).users).toBeCloseTo(2 * api(withFleet(spec, 4)).users, 6);
  });

  test('with replicas the reads leave the primary; users held is the least of the tiers', () => {
    const est = estimateCapacity(stageSpec('100k'), READS_ONLY, PER_CORE);
    const names = est.tiers.map((t) => t.tier);
    expect(names).toEqual(['api', 'db-primary', 'db-replicas', 'cache']);
    expect(est.tiers.find((t) => t.tier === 'db-primary')!.costPerRequest).toBe(0); // reads only, all on replicas
    // db.r7g.large: 2 vCPUs; 2 replicas at 60% → 2.4 cores; 0.25 reads per request.
    const replicas = est.tiers.find((t) => t.tier === 'db-replicas')!;
    expect(replicas.peakRps).toBeCloseTo((2 * 2 * 0.6 * READS_ONLY.dbReadUnitsPerVcpuSecond) / 0.25, 6);
    expect(est.usersHeld).toBe(Math.min(...est.tiers.map((t) => t.users)));
  });

  test('sharding multiplies the database tiers by the number of primaries', () => {
    const spec = stageSpec('1m');
    if (spec.database.kind !== 'rds') throw new Error('1m has RDS');
    const onePrimary: StageSpec = { ...spec, database: { ...spec.database, primaries: 1 } };
    const replicas = (s: StageSpec) => estimateCapacity(s, READS_ONLY, PER_CORE).tiers.find((t) => t.tier === 'db-replicas')!.users;
    expect(replicas(spec)).toBeCloseTo(spec.database.primaries * replicas(onePrimary), 6);
  });

  test('assumptions that cannot be right are refused', () => {
    expect(() => validateAssumptions({ ...DEFAULT_ASSUMPTIONS, cacheHitRate: 1.5 })).toThrow(/cacheHitRate/);
    expect(() => validateAssumptions({ ...DEFAULT_ASSUMPTIONS, peakToAverage: 0 })).toThrow(/peakToAverage/);
    expect(() => validateAssumptions({ ...DEFAULT_ASSUMPTIONS, mix: { ...DEFAULT_ASSUMPTIONS.mix, feed: 0.9 } })).toThrow(/mix/);
    expect(validateAssumptions(DEFAULT_ASSUMPTIONS)).toBe(DEFAULT_ASSUMPTIONS);
  });
});
