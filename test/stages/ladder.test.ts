import { capabilities, lostCapabilities } from '../../stages/capabilities';
import { crossesStep, LADDER, STAGE_NAMES, stageIndex, stageRange, stageSpec, suggestStage } from '../../stages/ladder';

const pairs = LADDER.slice(1).map((next, i) => [LADDER[i], next] as const);

describe('the stage ladder', () => {
  test('lists the eight stages in order of growth', () => {
    expect(LADDER.map((s) => s.name)).toEqual([...STAGE_NAMES]);
    expect(LADDER.map((s) => s.users)).toEqual([1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000]);
    STAGE_NAMES.forEach((name, i) => expect(stageIndex(name)).toBe(i));
  });

  test('ranges and steps follow the ladder order', () => {
    expect(stageRange('1k')).toEqual(['1k', '10k', '100k', '1m', '10m']);
    expect(stageRange('1', '100')).toEqual(['1', '10', '100']);
    expect(stageRange('10', '10')).toEqual(['10']);
    expect(crossesStep('10', '1k', ['100', '1k'])).toBe(true);
    expect(crossesStep('1', '1m', ['1', '10'])).toBe(true);
    expect(crossesStep('1k', '1m', ['100', '1k'])).toBe(false);
    expect(crossesStep('100', '100', ['100', '1k'])).toBe(false);
  });

  test('no two stages are identical', () => {
    for (let i = 0; i < LADDER.length; i++) {
      for (let j = i + 1; j < LADDER.length; j++) {
        const { name: a, users: ua, summary: sa, ...restA } = LADDER[i];
        const { name: b, users: ub, summary: sb, ...restB } = LADDER[j];
        expect({ stages: [a, b], same: JSON.stringify(restA) === JSON.stringify(restB) }).toEqual({ stages: [a, b], same: false });
      }
    }
  });

  test.each(pairs.map(([p, n]) => [`${p.name} → ${n.name}`, p, n]))(
    '%s loses no capability unless `replaces` names it',
    (_label, previous, next) => {
      expect(lostCapabilities(previous, next)).toEqual([]);
    },
  );

  test.each(pairs.map(([p, n]) => [`${p.name} → ${n.name}`, p, n]))('%s adds or grows something', (_label, previous, next) => {
    const added = [...capabilities(next)].filter((c) => !capabilities(previous).has(c));
    const grew = JSON.stringify({ ...previous, name: '', users: 0, summary: '', replaces: undefined }) !==
      JSON.stringify({ ...next, name: '', users: 0, summary: '', replaces: undefined });
    expect(added.length > 0 || grew).toBe(true);
  });

  test('a stage only names replacements of capabilities its predecessor had, by capabilities it has', () => {
    for (const [previous, next] of pairs) {
      for (const [from, to] of Object.entries(next.replaces ?? {})) {
        expect({ stage: next.name, from, had: capabilities(previous).has(from) }).toEqual({ stage: next.name, from, had: true });
        expect({ stage: next.name, to, has: capabilities(next).has(to) }).toEqual({ stage: next.name, to, has: true });
      }
    }
  });

  test('the checker notices a stage that drops a capability without saying so', () => {
    const [, stage10k] = pairs[4];
    const withoutThumbnails = { ...stage10k, uploads: { ...stage10k.uploads!, thumbnails: undefined } };
    expect(lostCapabilities(stage10k, withoutThumbnails)).toEqual(['uploads:thumbnails']);
  });

  test('sizes never shrink going up: fleet capacity, replicas, primaries, NAT gateways, storage', () => {
    for (const [previous, next] of pairs) {
      expect(next.network.natGateways).toBeGreaterThanOrEqual(previous.network.natGateways);
      if (previous.compute.kind === 'fleet' && next.compute.kind === 'fleet') {
        expect(next.compute.minCapacity).toBeGreaterThanOrEqual(previous.compute.minCapacity);
        expect(next.compute.maxCapacity).toBeGreaterThanOrEqual(previous.compute.maxCapacity);
      }
      if (previous.database.kind === 'rds' && next.database.kind === 'rds') {
        expect(next.database.readReplicas).toBeGreaterThanOrEqual(previous.database.readReplicas);
        expect(next.database.primaries).toBeGreaterThanOrEqual(previous.database.primaries);
        // RDS storage can only grow.
        expect(next.database.allocatedStorageGiB).toBeGreaterThanOrEqual(previous.database.allocatedStorageGiB);
        expect(next.database.backupRetentionDays).toBeGreaterThanOrEqual(7);
        // Same engine major version all the way up: an engine upgrade is its own change, not a stage.
        expect(next.database.engineMajorVersion).toBe(previous.database.engineMajorVersion);
      }
      if (previous.cache && next.cache) {
        expect(next.cache.shards).toBeGreaterThanOrEqual(previous.cache.shards);
        // Replicas per shard force a new replication group: fixed from the first cache stage.
        expect(next.cache.replicasPerShard).toBe(previous.cache.replicasPerShard);
      }
      if (previous.sharding) expect(next.sharding?.logicalShards).toBe(previous.sharding.logicalShards);
    }
  });

  test('specs are data built from the previous stage: each names only its own stage', () => {
    for (const spec of LADDER) expect(stageSpec(spec.name)).toBe(spec);
  });

  test.each([[undefined], [''], ['2'], ['1K'], [' 1k']])('stageSpec(%p) throws one line naming the valid stages', (name) => {
    expect(() => stageSpec(name)).toThrow(/^(no stage|unknown stage "[^"]*"( \(did you mean \w+\?\))?): pass -c stage=<1\|10\|100\|1k\|10k\|100k\|1m\|10m>$/);
  });

  test.each([
    ['1K', '1k'],
    ['100K', '100k'],
    ['1M', '1m'],
    [' 1k', '1k'],
    ['stage-10', '10'],
    ['100000', '100k'],
    ['1000000', '1m'],
    ['10K users', '10k'],
    ['100kk', '100k'],
    ['1mil', '1m'],
    ['10M', '10m'],
    ['10000000', '10m'],
    ['10l', undefined],
    ['2', undefined],
    ['huge', undefined],
  ])('suggestStage(%p) is %p', (raw, expected) => {
    expect(suggestStage(raw)).toBe(expected);
  });

  test('a near miss names the stage it likely meant', () => {
    expect(() => stageSpec('100K')).toThrow('unknown stage "100K" (did you mean 100k?): pass -c stage=<1|10|100|1k|10k|100k|1m|10m>');
  });
});
