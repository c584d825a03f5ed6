import type { Route } from '../router';
import { useApp } from '../app-context';

interface NavLinkProps {
  readonly href: string;
  readonly current: boolean;
  readonly label: string;
}

function NavLink({ href, current, label }: NavLinkProps) {
  return (
    <li>
      <a href={href} aria-current={current ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
}

/** The site header: brand and the links for the signed-in or signed-out visitor. */
export function NavBar({ route }: { readonly route: Route }) {
  const { session, signOut } = useApp();
  const ownProfile = route.name === 'profile' && route.userId === session?.userId;
  return (
    <header class="site-header">
      <a class="skip-link" href="#main" onClick={(event) => {
        // Hash routing owns the URL fragment, so move focus without navigating.
        event.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <a class="brand" href={session ? '#/feed' : '#/sign-in'}>
        Graminsta
      </a>
      <nav aria-label="Main">
        <ul>
          {session ? (
            <>
              <NavLink href="#/feed" current={route.name === 'feed'} label="Feed" />
              <NavLink href="#/upload" current={route.name === 'upload'} label="Upload" />
              <NavLink href={`#/users/${session.userId}`} current={ownProfile} label="Profile" />
              <li>
                <button type="button" class="link-button" onClick={() => void signOut()}>
                  Sign out
                </button>
              </li>
            </>
          ) : (
            <>
              <NavLink href="#/sign-in" current={route.name === 'sign-in'} label="Sign in" />
              <NavLink href="#/sign-up" current={route.name === 'sign-up'} label="Sign up" />
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}
