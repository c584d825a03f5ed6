import type { KeyValueStore } from './session-store';

/**
 * A small persisted set of IDs. The contract's Photo and User carry no
 * "liked by me" / "followed by me" flag, so the client remembers what this
 * browser liked and followed (per signed-in user) to show the right button.
 * The API calls are idempotent, so a stale entry only mislabels a button.
 */
export class RememberedSet {
  private readonly ids: Set<string>;

  constructor(
    private readonly store: KeyValueStore,
    private readonly key: string,
    private readonly capacity = 2000,
  ) {
    let saved: unknown = [];
    try {
      saved = JSON.parse(store.getItem(key) ?? '[]');
    } catch {
      saved = [];
    }
    this.ids = new Set(Array.isArray(saved) ? saved.filter((id): id is string => typeof id === 'string') : []);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  set(id: string, present: boolean): void {
    this.ids.delete(id);
    if (present) this.ids.add(id);
    // Oldest entries go first when full (Set keeps insertion order).
    while (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    try {
      this.store.setItem(this.key, JSON.stringify([...this.ids]));
    } catch {
      // Storage full or disabled: the set still works for this page's lifetime.
    }
  }
}
