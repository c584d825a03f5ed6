import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiClient } from './api/client';
import type { Session, User } from './api/types';

/** What every page needs: the API, the session and the client's small caches. */
export interface AppServices {
  readonly api: ApiClient;
  readonly session: Session | undefined;
  /** Cached user look-ups (authors of feed photos repeat), for this session. */
  readonly userById: (id: string) => Promise<User>;
  /** Forgets a cached user (after follow/unfollow or upload changes counts). */
  readonly forgetUser: (id: string) => void;
  readonly signIn: (session: Session) => void;
  readonly signOut: () => Promise<void>;
}

export const AppContext = createContext<AppServices | undefined>(undefined);

export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp() outside <AppContext.Provider>');
  return services;
}
