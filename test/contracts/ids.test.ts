import { Client } from 'pg';
import { composeId, ID_EPOCH_MS, LOGICAL_SHARDS, parseId, shardForUsername, shardOfId, timeOfId, compareIdsNewestFirst } from '../../contracts/ids';
import { migrate } from '../../api/src/db/migrate';
import { startPostgres, type TestPostgres } from '../support/postgres';

describe('64-bit IDs', () => {
  test('layout: 41 bits of time, 12 of shard, 10 of sequence, always a positive 63-bit integer', () => {
    const id = composeId(ID_EPOCH_MS + 123_456, 4095, 1023);
    expect(shardOfId(id)).toBe(4095);
    expect(timeOfId(id)).toBe(ID_EPOCH_MS + 123_456);
    expect(Number(id & 1023n)).toBe(1023);
    const last = composeId(ID_EPOCH_MS + 2 ** 41 - 1, 4095, 1023);
    expect(last).toBe((1n << 63n) - 1n);
    expect(LOGICAL_SHARDS).toBe(4096);
  });

  test('IDs made later sort after IDs made earlier, whatever their shard', () => {
    expect(composeId(ID_EPOCH_MS + 2, 0, 0) > composeId(ID_EPOCH_MS + 1, 4095, 1023)).toBe(true);
  });

  test('parseId accepts only canonical positive 63-bit decimals', () => {
    expect(parseId('1')).toBe(1n);
    expect(parseId('9223372036854775807')).toBe(9223372036854775807n);
    for (const bad of ['0', '-1', '01', '1.0', '1e3', '', ' 1', '9223372036854775808', '99999999999999999999', '١٢٣']) {
      expect(parseId(bad)).toBeUndefined();
    }
  });

  test('a username always hashes to the same logical shard, and names spread over many shards', () => {
    expect(shardForUsername('alice')).toBe(shardForUsername('alice'));
    const shards = new Set(Array.from({ length: 2000 }, (_, i) => shardForUsername(`user_${i}`)));
    expect(shards.size).toBeGreaterThan(1000);
    for (const shard of shards) expect(shard).toBeLessThan(LOGICAL_SHARDS);
  });

  describe('graminsta_next_id (SQL)', () => {
    let pg: TestPostgres;
    let client: Client;
    beforeAll(async () => {
      pg = await startPostgres();
      await migrate(pg.url);
      client = new Client({ connectionString: pg.url });
      await client.connect();
    });
    afterAll(async () => {
      await client?.end();
      await pg?.stop();
    });

    test('agrees with the TypeScript layout: carries the shard and the current time', async () => {
      const before = Date.now();
      const { rows } = await client.query('SELECT graminsta_next_id(2748) AS id');
      const id = rows[0].id as string;
      expect(shardOfId(id)).toBe(2748);
      expect(timeOfId(id)).toBeGreaterThanOrEqual(before - 5);
      expect(timeOfId(id)).toBeLessThanOrEqual(Date.now() + 5);
    });

    test('makes 5000 distinct, increasing IDs in one burst; refuses a shard out of range', async () => {
      const { rows } = await client.query('SELECT graminsta_next_id(7) AS id FROM generate_series(1, 5000)');
      const ids = rows.map((r) => BigInt(r.id));
      expect(new Set(ids).size).toBe(5000);
      await expect(client.query('SELECT graminsta_next_id(4096)')).rejects.toThrow(/out of range/);
    });
  });
});

describe('compareIdsNewestFirst', () => {
  test('orders decimal IDs as numbers, newest (largest) first, whatever their lengths', () => {
    const ids = ['9', '1000', '10', '999', '1001', '9223372036854775807', '100000000000000000', '3224576'];
    const byBigInt = [...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0));
    expect([...ids].sort(compareIdsNewestFirst)).toEqual(byBigInt);
    expect(compareIdsNewestFirst('42', '42')).toBe(0);
  });
});
