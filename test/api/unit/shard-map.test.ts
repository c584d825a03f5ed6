import { parseShardMap } from '../../../api/src/config/shard-map';
import { DatabaseCluster } from '../../../api/src/db/database-cluster';
import { composeId, ID_EPOCH_MS } from '../../../api/src/lib/ids';

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
    expect(parsed.primaries[0]).toEqual({ secretArn: arn(1), url: undefined, replicaHosts: ['r1:5432'], replicaUrls: [], shards: [0, 1023] });
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
  ])('rejects %s', (_name, json, message) => {
    expect(() => parseShardMap(json)).toThrow(message);
  });

  test('routes every ID to the primary owning its logical shard', async () => {
    const cluster = new DatabaseCluster([
      { primary: { connectionString: 'postgres://127.0.0.1:1/a' }, replicas: [], shards: [0, 1023] },
      { primary: { connectionString: 'postgres://127.0.0.1:1/b' }, replicas: [], shards: [1024, 4095] },
    ]);
    try {
      expect(cluster.forId(composeId(ID_EPOCH_MS + 5, 1023, 9)).index).toBe(0);
      expect(cluster.forId(composeId(ID_EPOCH_MS + 5, 1024, 9)).index).toBe(1);
      expect(cluster.forShard(0)).toBe(cluster.home);
      const groups = cluster.groupByNode([composeId(ID_EPOCH_MS, 1, 0), composeId(ID_EPOCH_MS, 4000, 0), composeId(ID_EPOCH_MS, 2, 0)].map(String));
      expect([...groups.values()].map((ids) => ids.length)).toEqual([2, 1]);
    } finally {
      await cluster.close();
    }
  });

  test('with one primary (every stage before 1m) everything routes to it', async () => {
    const cluster = new DatabaseCluster([{ primary: { connectionString: 'postgres://127.0.0.1:1/a' }, replicas: [], shards: [0, 4095] }]);
    try {
      for (const shard of [0, 1, 2047, 4095]) expect(cluster.forShard(shard).index).toBe(0);
    } finally {
      await cluster.close();
    }
  });
});
