import { SPA_REWRITE_SOURCE } from '../../../../lib/constructs/site/spa-rewrite';

/** Runs the CloudFront Function's source as CloudFront would: `handler(event)` → request. */
function rewrite(uri: string): string {
  // The source is plain ES5 for cloudfront-js-2.0; evaluate it in a fresh function scope.
  const handler = new Function(`${SPA_REWRITE_SOURCE}; return handler;`)() as (e: unknown) => { uri: string };
  return handler({ request: { uri, method: 'GET', headers: {}, querystring: {} } }).uri;
}

describe('SPA rewrite function', () => {
  test.each(['/', '/feed', '/users/42', '/users/42/', '/photos/7/edit'])('serves /index.html for the client-side route %s', (uri) => {
    expect(rewrite(uri)).toBe('/index.html');
  });

  test.each(['/index.html', '/assets/main-ABC123.js', '/assets/main-ABC123.css', '/robots.txt'])('leaves the file %s alone', (uri) => {
    expect(rewrite(uri)).toBe(uri);
  });
});
