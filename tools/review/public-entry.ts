import type { StageSpec } from '../../stages/ladder';
import type { PublicEntry } from './security-groups';

/**
 * The ports a stage opens to the internet on purpose. Without a site (1, 10)
 * the instance itself serves HTTP (and HTTPS when a certificate is given);
 * from 100 CloudFront is the entry, and origins accept only CloudFront's
 * origin-facing prefix list, so nothing is open to 0.0.0.0/0.
 */
export function publicEntryOf(spec: StageSpec): PublicEntry {
  return { tcpPorts: spec.site ? [] : [80, 443] };
}
