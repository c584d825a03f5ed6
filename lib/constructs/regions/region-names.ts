/**
 * The DNS names of stage 10m, under the app's domain (`-c domainName`), in
 * its public hosted zone (`-c hostedZoneId`): one home for them, since the
 * stacks of both regions and the region configuration's first value name
 * them without reading each other.
 */

/**
 * The CloudFront distribution's API origin: latency records, one per region,
 * each an alias of that region's public origin load balancer and guarded by a
 * health check, so CloudFront reaches the nearest healthy region.
 */
export function apiOriginName(domainName: string): string {
  return `api-origin.${domainName}`;
}

/**
 * One region's internal load balancer (an alias record in the public zone
 * resolving to private addresses): where another region's API forwards a
 * write, over the VPC peering. Known from the options alone, so each region's
 * stacks can name the other's without a cross-region reference.
 */
export function regionalApiName(region: string, domainName: string): string {
  return `${region}.regions.${domainName}`;
}

/** The region configuration's `apiUrl` of a region: HTTP to its internal load balancer (the peering is private and encrypted by AWS). */
export function regionalApiUrl(region: string, domainName: string): string {
  return `http://${regionalApiName(region, domainName)}`;
}
