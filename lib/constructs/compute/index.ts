/**
 * The API's compute: the single instance of stages 1-100 (`ApiServer`), the
 * fleet and its load balancer from 1k (`ApiFleet`, `ApiLoadBalancer`), and
 * what they ship (`ApiBundle`, `WebClientBundle`). This index is what the
 * stacks use; everything under `private/` (cfn-init, the env file, the
 * instance image, the service files) is this area's own.
 */
export { ApiBundle, type ApiBundleProps } from './api-bundle';
export type { ApiCache, ApiDependencies, ApiUploads, ApiWorkQueue } from './api-dependencies';
export { ApiFleet, type ApiFleetProps } from './api-fleet';
export { ApiLoadBalancer, type ApiLoadBalancerProps } from './api-load-balancer';
export { API_PATHS } from './api-paths';
export { API_PORT } from './api-port';
export { ApiServer, type ApiServerProps } from './api-server';
export { WebClientBundle } from './web-client-bundle';
/** For `npm run check:templates`, which acknowledges the same template check. */
export { RESOLVED_AT_LAUNCH_IMAGE_ID } from './private/instance-image';
