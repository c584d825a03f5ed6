import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api/types';
import { useApp } from '../app-context';

/** Loads a user through the app's cache; `undefined` while loading or on error. */
export function useUser(id: string, version = 0): { user: User | undefined; error: unknown } {
  const { userById } = useApp();
  const [state, setState] = useState<{ user: User | undefined; error: unknown }>({ user: undefined, error: undefined });
  useEffect(() => {
    let live = true;
    setState({ user: undefined, error: undefined });
    userById(id).then(
      (user) => live && setState({ user, error: undefined }),
      (error: unknown) => live && setState({ user: undefined, error }),
    );
    return () => {
      live = false;
    };
  }, [id, version, userById]);
  return state;
}
