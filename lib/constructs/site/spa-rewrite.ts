/**
 * Source of the CloudFront Function (cloudfront-js-2.0, viewer request) on the
 * site's DEFAULT behaviour only: a path whose last segment has no extension is
 * a client-side route of the single-page app, so it is served `/index.html`.
 *
 * Why a function and not distribution-wide custom error responses (403/404 →
 * /index.html): those apply to every behaviour, so a JSON 404 from `/api/*`
 * would turn into an HTML page with status 200.
 */
export const SPA_REWRITE_SOURCE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var lastSegment = uri.substring(uri.lastIndexOf('/') + 1);
  if (lastSegment.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
`;
