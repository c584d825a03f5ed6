import type { StageSpec } from '../../stages/ladder';
import type { PublicEntry } from './security-groups';

/**
 * The ports a stage opens to the internet on purpose: none. CloudFront is the
 * entry at every stage; the instance accepts only CloudFront's origin-facing
 * prefix list and the fleet's load balancer is internal (a VPC origin), so a
 * rule open to 0.0.0.0/0 is always a problem.
 */
export function publicEntryOf(_spec: StageSpec): PublicEntry {
  return { tcpPorts: [] };
}
