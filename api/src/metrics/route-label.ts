import type { FastifyRequest } from 'fastify';

/** The label of requests no route matched (404s of any URL): one value, however many URLs clients try. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * A request's route dimension: its method and the route's template
 * (`GET /api/photos/:id`), never the URL, so the number of values is the
 * number of routes however many IDs and query strings clients send. Requests
 * no route matched share UNMATCHED_ROUTE (their method is the client's choice
 * and so is left out too).
 */
export function routeLabel(request: FastifyRequest): string {
  const template = request.routeOptions.url;
  return template === undefined ? UNMATCHED_ROUTE : `${request.method} ${template}`;
}

/** `2xx` … `5xx`: the status dimension of the Prometheus figures. */
export function statusClass(statusCode: number): string {
  return `${Math.floor(statusCode / 100)}xx`;
}
