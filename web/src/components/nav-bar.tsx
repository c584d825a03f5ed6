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

/**
 * The site header, one row from a 320 px phone up: brand and the links for the
 * signed-in or signed-out visitor (signing out is on your own profile).
 */
export function NavBar({ route }: { readonly route: Route }) {
  const { session } = useApp();
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
      {/* On a phone the brand is its initial, so the links fit one row; its name stays "Graminsta". */}
      <a class="brand" href={session ? '#/feed' : '#/sign-in'} aria-label="Graminsta">
        <span class="brand-name">Graminsta</span>
        <span class="brand-mark" aria-hidden="true">
          G
        </span>
      </a>
      <nav aria-label="Main">
        <ul>
          {session ? (
            <>
              <NavLink href="#/feed" current={route.name === 'feed'} label="Feed" />
              <NavLink href="#/search" current={route.name === 'search'} label="Search" />
              <NavLink href="#/upload" current={route.name === 'upload'} label="Upload" />
              <NavLink href={`#/users/${session.userId}`} current={ownProfile} label="Profile" />
            </>
          ) : (
            <>
              <NavLink href="#/search" current={route.name === 'search'} label="Search" />
              <NavLink href="#/sign-in" current={route.name === 'sign-in'} label="Sign in" />
              <NavLink href="#/sign-up" current={route.name === 'sign-up'} label="Sign up" />
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}
