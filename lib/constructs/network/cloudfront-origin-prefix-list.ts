import type { Construct } from 'constructs';
import { ManagedPrefixList } from './managed-prefix-list';

/** The AWS-managed prefix list of CloudFront's origin-facing addresses. */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

/**
 * The ID of CloudFront's origin-facing managed prefix list (weight 55: a
 * security group's rule quota is 60 by default, so it leaves room for little
 * else in one group).
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html
 */
export class CloudFrontOriginPrefixList extends ManagedPrefixList {
  constructor(scope: Construct, id: string) {
    super(scope, id, { prefixListName: CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST });
  }
}
