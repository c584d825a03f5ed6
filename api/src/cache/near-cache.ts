import { LRUCache } from 'lru-cache';

/**
 * A small in-process LRU with a per-entry TTL: the tier in front of Redis for
 * the hottest read. lru-cache (its index arrays, no reinsertion per hit) reads
 * about twice as fast as the Map this replaced (50 ns against 110–175 ns per
 * hit, 1,000 hot keys; issue 18). An expired entry is never returned: it is
 * dropped when read, or pushed out by newer ones.
 */
export class NearCache<V extends {}> {
  private readonly entries: LRUCache<string, V> | undefined;

  constructor(ttlMs: number, maxEntries = 10_000) {
    // TTL 0 turns the tier off (every read goes to Redis).
    this.entries = ttlMs === 0 ? undefined : new LRUCache<string, V>({ max: maxEntries, ttl: ttlMs });
  }

  get(key: string): V | undefined {
    return this.entries?.get(key);
  }

  set(key: string, value: V): void {
    this.entries?.set(key, value);
  }

  delete(key: string): void {
    this.entries?.delete(key);
  }

  clear(): void {
    this.entries?.clear();
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}
