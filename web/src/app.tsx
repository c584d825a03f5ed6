import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiClient } from './api/client';
import type { Session, User } from './api/types';
import { AppContext, type AppServices } from './app-context';
import { NavBar } from './components/nav-bar';
import { FeedPage } from './pages/feed-page';
import { NotFoundPage } from './pages/not-found-page';
import { ProfilePage } from './pages/profile-page';
import { SearchPage } from './pages/search-page';
import { SignInPage } from './pages/sign-in-page';
import { UploadPage } from './pages/upload-page';
import { isPublicRoute, parseRoute, routeHref, type Route } from './router';
import { loadSession, saveSession } from './session-store';

/** Signed-out visitors go to sign-in; signed-in ones skip the sign-in pages. */
function effectiveRoute(route: Route, session: Session | undefined): Route {
  if (!session && !isPublicRoute(route)) return { name: 'sign-in' };
  if (session && (route.name === 'sign-in' || route.name === 'sign-up')) return { name: 'feed' };
  return route;
}

function Page({ route }: { readonly route: Route }) {
  switch (route.name) {
    case 'sign-in':
    case 'sign-up':
      return <SignInPage mode={route.name} />;
    case 'feed':
      return <FeedPage />;
    case 'upload':
      return <UploadPage />;
    case 'search':
      return <SearchPage prefix={route.prefix} />;
    case 'profile':
      return <ProfilePage key={route.userId} userId={route.userId} />;
    default:
      return <NotFoundPage />;
  }
}

export function App() {
  const [session, setSession] = useState(() => loadSession(localStorage));
  const [hash, setHash] = useState(location.hash);
  const token = useRef(session?.token);
  token.current = session?.token;

  useEffect(() => {
    const onHashChange = () => setHash(location.hash);
    addEventListener('hashchange', onHashChange);
    return () => removeEventListener('hashchange', onHashChange);
  }, []);

  const changeSession = useCallback((next: Session | undefined) => {
    saveSession(localStorage, next);
    token.current = next?.token;
    setSession(next);
  }, []);

  const api = useMemo(
    () => new ApiClient({ token: () => token.current, onUnauthorized: () => changeSession(undefined) }),
    [changeSession],
  );
  // Per session: a profile carries the viewer's followedByMe, so another sign-in starts afresh.
  const users = useMemo(() => new Map<string, Promise<User>>(), [session?.userId]);
  const userById = useCallback(
    (id: string) => {
      let user = users.get(id);
      if (!user) {
        user = api.user(id);
        users.set(id, user);
        // A failed look-up is not cached, so the next render retries it.
        user.catch(() => users.delete(id));
      }
      return user;
    },
    [api, users],
  );
  const forgetUser = useCallback((id: string) => void users.delete(id), [users]);

  const services = useMemo<AppServices>(() => {
    return {
      api,
      session,
      userById,
      forgetUser,
      signIn: (next) => changeSession(next),
      signOut: async () => {
        try {
          await api.signOut();
        } catch {
          // Signing out locally matters more than telling the server; the token expires anyway.
        }
        changeSession(undefined);
        location.hash = '#/sign-in';
      },
    };
  }, [api, session, userById, forgetUser, changeSession]);

  const requested = parseRoute(hash);
  const route = effectiveRoute(requested, session);
  useEffect(() => {
    // Keep the address bar true to what is shown (no new history entry).
    if (route !== requested) history.replaceState(null, '', routeHref(route));
  }, [route, requested]);

  return (
    <AppContext.Provider value={services}>
      <NavBar route={route} />
      <main id="main" tabIndex={-1}>
        <Page key={route.name} route={route} />
      </main>
    </AppContext.Provider>
  );
}
