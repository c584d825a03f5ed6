/**
 * Hash-based routes (`#/feed`): they work from any static host with no
 * server-side rewrite (the API at stages 1/10, S3 + CloudFront from 100).
 */
export type Route =
  | { readonly name: 'sign-in' }
  | { readonly name: 'sign-up' }
  | { readonly name: 'feed' }
  | { readonly name: 'upload' }
  | { readonly name: 'search'; readonly prefix: string }
  | { readonly name: 'profile'; readonly userId: string }
  | { readonly name: 'not-found'; readonly path: string };

/** Parses `location.hash` into a route; the empty hash is the feed. */
export function parseRoute(hash: string): Route {
  const [rawPath, query = ''] = hash.replace(/^#/, '').split('?', 2);
  const path = rawPath.replace(/\/+$/, '') || '/feed';
  if (path === '/search') return { name: 'search', prefix: new URLSearchParams(query).get('q') ?? '' };
  if (path === '/sign-in') return { name: 'sign-in' };
  if (path === '/sign-up') return { name: 'sign-up' };
  if (path === '/feed') return { name: 'feed' };
  if (path === '/upload') return { name: 'upload' };
  const profile = /^\/users\/(\d{1,20})$/.exec(path);
  if (profile) return { name: 'profile', userId: profile[1] };
  return { name: 'not-found', path };
}

/** The hash for a route (for links and navigation). */
export function routeHref(route: Route): string {
  switch (route.name) {
    case 'profile':
      return `#/users/${route.userId}`;
    case 'search':
      return route.prefix ? `#/search?${new URLSearchParams({ q: route.prefix }).toString()}` : '#/search';
    case 'not-found':
      return `#${route.path}`;
    default:
      return `#/${route.name}`;
  }
}

/** True for routes a signed-out visitor may see. */
export function isPublicRoute(route: Route): boolean {
  return route.name === 'sign-in' || route.name === 'sign-up' || route.name === 'profile' || route.name === 'search' || route.name === 'not-found';
}
