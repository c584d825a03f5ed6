import { NearCache } from '../../../api/src/cache/near-cache';

/** The in-process tier: its TTL bounds staleness, its size bounds memory, least recently read first out. */
describe('NearCache', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  test('an entry is served until its TTL, never after', async () => {
    const cache = new NearCache<string>(60);
    cache.set('a', 'json-a');
    expect(cache.get('a')).toBe('json-a');
    await sleep(90);
    expect(cache.get('a')).toBeUndefined();
  });

  test('a read does not extend the TTL (staleness is bounded from the fill)', async () => {
    const cache = new NearCache<string>(80);
    cache.set('a', 'json-a');
    await sleep(50);
    expect(cache.get('a')).toBe('json-a');
    await sleep(50);
    expect(cache.get('a')).toBeUndefined();
  });

  test('past maxEntries the least recently read entry goes', () => {
    const cache = new NearCache<string>(60_000, 2);
    cache.set('a', '1');
    cache.set('b', '2');
    expect(cache.get('a')).toBe('1');
    cache.set('c', '3');
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual(['1', undefined, '3']);
    expect(cache.size).toBe(2);
  });

  test('TTL 0 turns the tier off; delete and clear drop entries', () => {
    const off = new NearCache<string>(0);
    off.set('a', '1');
    expect(off.get('a')).toBeUndefined();
    const cache = new NearCache<string>(60_000);
    cache.set('a', '1');
    cache.set('b', '2');
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
