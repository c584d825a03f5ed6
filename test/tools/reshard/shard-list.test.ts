import { formatShardList, parseShardList } from '../../../tools/reshard/shard-list';

describe('--shards lists', () => {
  test('accepts numbers and inclusive ranges, sorted without duplicates', () => {
    expect(parseShardList('5')).toEqual([5]);
    expect(parseShardList('10-12, 1,2,11')).toEqual([1, 2, 10, 11, 12]);
    expect(parseShardList('0-4095')).toHaveLength(4096);
  });

  test.each([
    ['', /--shards is required/],
    ['4096', /unknown logical shard 4096 \(shards are 0-4095\)/],
    ['3-4096', /unknown logical shard 4096/],
    ['9-3', /range "9-3" is reversed/],
    ['1,,2', /"" is not a shard number/],
    ['-1', /"-1" is not a shard number/],
    ['1-2-3', /"1-2-3" is not a shard number/],
    ['0x10', /"0x10" is not a shard number/],
  ])('refuses %j with a message naming the bad item', (raw, message) => {
    expect(() => parseShardList(raw)).toThrow(message);
  });

  test('formats shard lists as compact ranges', () => {
    expect(formatShardList([7, 0, 1, 2, 100, 101])).toBe('0-2,7,100-101');
    expect(formatShardList([])).toBe('');
  });
});
