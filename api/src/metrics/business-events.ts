import type { BusinessEventMetric } from '../../../contracts/api-metrics';

/**
 * The business figures the API counts, each read off a successful answer of
 * one route (method and route template, the same label as the request
 * metrics). Counting answers rather than calls inside the services keeps the
 * figures in one table beside the other metrics, and a count is exactly "the
 * client was told it worked": a failed or refused attempt never counts.
 * Idempotent routes (like, follow) count every successful request, repeats
 * included: the figure is activity, not the number of distinct likes.
 */
export const BUSINESS_EVENTS = {
  SignUps: { route: 'POST /api/users', status: 201 },
  LogIns: { route: 'POST /api/sessions', status: 201 },
  /** A photo posted (`POST /api/photos`): the same at every stage, whether its bytes then come through the API or straight to S3. */
  Uploads: { route: 'POST /api/photos', status: 201 },
  Follows: { route: 'PUT /api/users/:id/follow', status: 204 },
  Likes: { route: 'PUT /api/photos/:id/like', status: 204 },
} as const satisfies Record<BusinessEventMetric, { readonly route: string; readonly status: number }>;

export type BusinessEvent = keyof typeof BUSINESS_EVENTS;

export const BUSINESS_EVENT_NAMES = Object.keys(BUSINESS_EVENTS) as BusinessEvent[];

const byRoute = new Map<string, { event: BusinessEvent; status: number }>(
  BUSINESS_EVENT_NAMES.map((event) => [BUSINESS_EVENTS[event].route, { event, status: BUSINESS_EVENTS[event].status }]),
);

/** The business event a request's answer stands for, if any. */
export function businessEvent(route: string, statusCode: number): BusinessEvent | undefined {
  const entry = byRoute.get(route);
  return entry && entry.status === statusCode ? entry.event : undefined;
}
