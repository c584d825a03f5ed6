import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api/types';
import { useApp } from '../app-context';

/** Loads a user through the app's cache; `undefined` while first loading or on error. Bump `version` to reload. */
export function useUser(id: string, version = 0): { user: User | undefined; error: unknown } {
  const { userById } = useApp();
  const [state, setState] = useState<{ user: User | undefined; error: unknown }>({ user: undefined, error: undefined });
  useEffect(() => {
    let live = true;
    // A reload of the same user (version bump) keeps showing the old data
    // meanwhile, so buttons don't unmount under the keyboard user's focus.
    setState((s) => (s.user?.id === id ? s : { user: undefined, error: undefined }));
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
