import { loadSession, saveSession, type KeyValueStore } from '../../../web/src/session-store';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

describe('session store', () => {
  test('round-trips a session and clears it', () => {
    const store = memoryStore();
    saveSession(store, { token: 't', userId: '5' });
    expect(loadSession(store)).toEqual({ token: 't', userId: '5' });
    saveSession(store, undefined);
    expect(loadSession(store)).toBeUndefined();
  });

  test('malformed saved sessions count as signed out', () => {
    const store = memoryStore();
    for (const bad of ['nope', '{"token":1,"userId":"2"}', 'null', '[]']) {
      store.setItem('graminsta.session', bad);
      expect(loadSession(store)).toBeUndefined();
    }
  });
});
