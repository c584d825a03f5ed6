import { evenShardRanges, formatShardRanges, parseShardMap, shardMapFromUrls } from '../../contracts/shard-map';
import { DatabaseCluster } from '../../api/src/db/database-cluster';
import { composeId, ID_EPOCH_MS } from '../../contracts/ids';

const map = (primaries: unknown[], logicalShards = 4096) => JSON.stringify({ logicalShards, primaries });
const arn = (n: number) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:db${n}`;

describe('shard map', () => {
  test('parses the 1m shape: secret ARNs, replica hosts, inclusive shard ranges', () => {
    const parsed = parseShardMap(
      map([
        { secretArn: arn(1), replicaHosts: ['r1:5432'], shards: [0, 1023] },
        { secretArn: arn(2), replicaHosts: [], shards: [1024, 4095] },
      ]),
    );
    expect(parsed.primaries).toHaveLength(2);
    expect(parsed.primaries[0]).toEqual({ name: 'primary-0', secretArn: arn(1), url: undefined, replicaHosts: ['r1:5432'], replicaUrls: [], shards: [[0, 1023]] });
  });

  test.each([
    ['not JSON', '{', /not valid JSON/],
    ['wrong logical shard count', map([{ url: 'postgres://a/b', shards: [0, 8191] }], 8192), /logicalShards must be 4096/],
    ['no primaries', map([]), /non-empty/],
    ['a gap', map([{ url: 'postgres://a/b', shards: [0, 100] }, { url: 'postgres://a/c', shards: [200, 4095] }]), /101-199 belong to no primary/],
    ['an overlap', map([{ url: 'postgres://a/b', shards: [0, 2048] }, { url: 'postgres://a/c', shards: [2048, 4095] }]), /more than one primary/],
    ['missing the top', map([{ url: 'postgres://a/b', shards: [0, 4000] }]), /4001-4095/],
    ['range reversed', map([{ url: 'postgres://a/b', shards: [10, 0] }]), /first <= last/],
    ['shard out of range', map([{ url: 'postgres://a/b', shards: [0, 4096] }]), /< 4096/],
    ['both url and secretArn', map([{ url: 'postgres://a/b', secretArn: arn(1), shards: [0, 4095] }]), /exactly one/],
    ['neither url nor secretArn', map([{ shards: [0, 4095] }]), /exactly one/],
    ['bad ARN', map([{ secretArn: 'db1', shards: [0, 4095] }]), /must be an ARN/],
    ['unknown key', map([{ url: 'postgres://a/b', shards: [0, 4095], weight: 2 }]), /unknown key "weight"/],
    ['host without secretArn', map([{ url: 'postgres://a/b', host: 'r1:5432', shards: [0, 4095] }]), /host goes with secretArn/],
    ['bad host', map([{ secretArn: arn(1), host: 'r1:5432/x', shards: [0, 4095] }]), /host must be host or host:port/],
  ])('rejects %s', (_name, json, message) => {
    expect(() => parseShardMap(json)).toThrow(message);
  });

  test("a primary's host (the second region's local server) is kept beside its secret", () => {
    const parsed = parseShardMap(map([{ secretArn: arn(1), host: 'replica-0.eu-west-1.rds.amazonaws.com:5432', shards: [0, 4095] }]));
    expect(parsed.primaries[0]).toMatchObject({ secretArn: arn(1), host: 'replica-0.eu-west-1.rds.amazonaws.com:5432' });
  });

  test('primaries have stable names: given ones kept, missing ones primary-<index>', () => {
    const parsed = parseShardMap(map([{ name: 'old-box', url: 'postgres://a/b', shards: [0, 4095] }, { url: 'postgres://a/c', shards: [] }]));
    expect(parsed.primaries.map((p) => p.name)).toEqual(['old-box', 'primary-1']);
  });

  test('shards may be a list of inclusive ranges, and [] for a new primary that owns nothing yet', () => {
    const parsed = parseShardMap(
      map([
        { name: 'primary-0', url: 'postgres://a/b', shards: [[0, 999], [2000, 2000], [2002, 4095]] },
        { name: 'primary-1', url: 'postgres://a/c', shards: [[1000, 1999], [2001, 2001]] },
        { name: 'primary-2', url: 'postgres://a/d', shards: [] },
      ]),
    );
    expect(parsed.primaries.map((p) => p.shards)).toEqual([
      [
        [0, 999],
        [2000, 2000],
        [2002, 4095],
      ],
      [
        [1000, 1999],
        [2001, 2001],
      ],
      [],
    ]);
  });

  test('the legacy [first, last] pair is still one range', () => {
    expect(parseShardMap(map([{ url: 'postgres://a/b', shards: [0, 4095] }])).primaries[0].shards).toEqual([[0, 4095]]);
  });

  test.each([
    ['a bad name', map([{ name: 'Primary 0', url: 'postgres://a/b', shards: [0, 4095] }]), /primaries\[0\]\.name must match/],
    ['a name over 40 characters', map([{ name: 'p'.repeat(41), url: 'postgres://a/b', shards: [0, 4095] }]), /name must match/],
    [
      'two primaries with one name',
      map([{ name: 'x', url: 'postgres://a/b', shards: [[0, 9]] }, { name: 'x', url: 'postgres://a/c', shards: [[10, 4095]] }]),
      /primaries\[0\] and primaries\[1\] are both named "x"/,
    ],
    ['a default name taken by another', map([{ url: 'postgres://a/b', shards: [0, 9] }, { name: 'primary-0', url: 'postgres://a/c', shards: [10, 4095] }]), /both named "primary-0"/],
    ['overlapping ranges of one primary', map([{ url: 'postgres://a/b', shards: [[0, 10], [10, 4095]] }]), /logical shard 10 belongs to more than one primary/],
    ['a range list with a bad range', map([{ url: 'postgres://a/b', shards: [[0, 10], [12, 11]] }]), /list of \[first, last\] ranges/],
    ['a range of three numbers', map([{ url: 'postgres://a/b', shards: [[0, 10, 4095]] }]), /list of \[first, last\] ranges/],
    ['shards not an array', map([{ url: 'postgres://a/b', shards: '0-4095' }]), /shards must be/],
    ['every primary empty', map([{ url: 'postgres://a/b', shards: [] }]), /logical shards 0-4095 belong to no primary/],
    ['several gaps', map([{ url: 'postgres://a/b', shards: [[0, 9], [20, 29], [40, 4095]] }]), /logical shards 10-19, 30-39 belong to no primary/],
  ])('rejects %s', (_name, json, message) => {
    expect(() => parseShardMap(json)).toThrow(message);
  });

  test('SHARD_DATABASE_URLS layout: primary-0..n-1 with even contiguous ranges covering every shard', () => {
    const spec = shardMapFromUrls(['postgres://h/a', 'postgres://h/b', 'postgres://h/c']);
    expect(spec.primaries.map((p) => [p.name, p.url, p.shards])).toEqual([
      ['primary-0', 'postgres://h/a', [[0, 1365]]],
      ['primary-1', 'postgres://h/b', [[1366, 2730]]],
      ['primary-2', 'postgres://h/c', [[2731, 4095]]],
    ]);
    expect(evenShardRanges(1)).toEqual([[0, 4095]]);
    expect(evenShardRanges(4)).toEqual([
      [0, 1023],
      [1024, 2047],
      [2048, 3071],
      [3072, 4095],
    ]);
    expect(() => shardMapFromUrls(['postgres://h/a', 'postgres://h/a'])).toThrow(/same URL twice/);
    expect(formatShardRanges([[0, 9], [12, 12]])).toBe('0-9, 12');
  });

  test('routes every ID to the primary owning its logical shard', async () => {
    const cluster = new DatabaseCluster([
      { name: 'a', primary: { connectionString: 'postgres://127.0.0.1:1/a' }, replicas: [], shards: [[0, 1023]] },
      { name: 'b', primary: { connectionString: 'postgres://127.0.0.1:1/b' }, replicas: [], shards: [[1024, 4095]] },
    ]);
    try {
      expect(cluster.forId(composeId(ID_EPOCH_MS + 5, 1023, 9)).index).toBe(0);
      expect(cluster.forId(composeId(ID_EPOCH_MS + 5, 1024, 9)).index).toBe(1);
      expect(cluster.home).toBe(cluster.nodes[0]);
      const groups = cluster.groupByNode([composeId(ID_EPOCH_MS, 1, 0), composeId(ID_EPOCH_MS, 4000, 0), composeId(ID_EPOCH_MS, 2, 0)].map(String));
      expect([...groups.values()].map((ids) => ids.length)).toEqual([2, 1]);
    } finally {
      await cluster.close();
    }
  });

  test('with one primary (every stage before 1m) everything routes to it', async () => {
    const cluster = new DatabaseCluster([{ name: 'only', primary: { connectionString: 'postgres://127.0.0.1:1/a' }, replicas: [], shards: [[0, 4095]] }]);
    try {
      for (const shard of [0, 1, 2047, 4095]) expect(cluster.forShard(shard).index).toBe(0);
    } finally {
      await cluster.close();
    }
  });
});
