import type { Session } from './api/types';

const KEY = 'graminsta.session';

/** Minimal storage interface (localStorage in the browser; a Map in unit tests). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Reads the saved session; anything malformed counts as signed out. */
export function loadSession(store: KeyValueStore): Session | undefined {
  try {
    const value: unknown = JSON.parse(store.getItem(KEY) ?? 'null');
    const session = value as Partial<Session> | null;
    if (session && typeof session.token === 'string' && typeof session.userId === 'string') {
      return { token: session.token, userId: session.userId };
    }
  } catch {
    // Corrupt entry: treat as signed out.
  }
  return undefined;
}

export function saveSession(store: KeyValueStore, session: Session | undefined): void {
  if (session) store.setItem(KEY, JSON.stringify(session));
  else store.removeItem(KEY);
}
