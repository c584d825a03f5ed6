import { RememberedSet } from '../../../web/src/remembered-set';
import type { KeyValueStore } from '../../../web/src/session-store';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe('RememberedSet', () => {
  test('persists across instances and forgets removed ids', () => {
    const store = memoryStore();
    const first = new RememberedSet(store, 'k');
    first.set('1', true);
    first.set('2', true);
    first.set('1', false);
    const second = new RememberedSet(store, 'k');
    expect(second.has('1')).toBe(false);
    expect(second.has('2')).toBe(true);
  });

  test('drops the oldest ids past its capacity', () => {
    const set = new RememberedSet(memoryStore(), 'k', 2);
    set.set('a', true);
    set.set('b', true);
    set.set('c', true);
    expect([set.has('a'), set.has('b'), set.has('c')]).toEqual([false, true, true]);
  });

  test('a corrupt stored value starts empty instead of throwing', () => {
    const store = memoryStore();
    store.setItem('k', '{not json');
    expect(new RememberedSet(store, 'k').has('x')).toBe(false);
  });
});
