/**
 * The API's two health paths, shared by api/ (the routes), lib/ (the target
 * groups' and Route 53's checks) and the tests' stand-ins. Imports nothing.
 */

/** The process is up: the load balancers' target check (never touches a dependency). */
export const LIVENESS_PATH = '/healthz';

/** The databases (and Redis) answer: Route 53's health checks at 10m. */
export const READINESS_PATH = '/readyz';
