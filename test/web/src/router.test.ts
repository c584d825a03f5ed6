import { isPublicRoute, parseRoute, routeHref } from '../../../web/src/router';

describe('parseRoute', () => {
  test.each([
    ['', { name: 'feed' }],
    ['#/', { name: 'feed' }],
    ['#/feed', { name: 'feed' }],
    ['#/sign-in', { name: 'sign-in' }],
    ['#/sign-up/', { name: 'sign-up' }],
    ['#/upload', { name: 'upload' }],
    ['#/users/123', { name: 'profile', userId: '123' }],
    ['#/users/abc', { name: 'not-found', path: '/users/abc' }],
    ['#/nope', { name: 'not-found', path: '/nope' }],
    ['#/search', { name: 'search', prefix: '' }],
    ['#/search?q=al', { name: 'search', prefix: 'al' }],
    ['#/search/?q=a%20b', { name: 'search', prefix: 'a b' }],
  ])('%s', (hash, route) => expect(parseRoute(hash)).toEqual(route));

  test('routeHref is the inverse of parseRoute', () => {
    for (const hash of ['#/feed', '#/sign-in', '#/sign-up', '#/upload', '#/users/42', '#/search', '#/search?q=al_1']) {
      expect(routeHref(parseRoute(hash))).toBe(hash);
    }
  });

  test('only sign-in, sign-up, profiles, the search and unknown paths are public', () => {
    expect(isPublicRoute({ name: 'search', prefix: '' })).toBe(true);
    expect(isPublicRoute({ name: 'feed' })).toBe(false);
    expect(isPublicRoute({ name: 'upload' })).toBe(false);
    expect(isPublicRoute({ name: 'sign-in' })).toBe(true);
    expect(isPublicRoute({ name: 'profile', userId: '1' })).toBe(true);
  });
});
