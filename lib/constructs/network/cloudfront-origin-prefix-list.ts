import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/** The AWS-managed prefix list of CloudFront's origin-facing addresses. */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

/**
 * Resolves the ID of CloudFront's origin-facing managed prefix list at deploy
 * time. The ID differs per region and `fromLookup` (which needs credentials at
 * synth) is not allowed here, so a custom resource asks EC2 for it instead.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html
 */
export class CloudFrontOriginPrefixList extends Construct {
  /** `pl-...`, a deploy-time token. */
  public readonly prefixListId: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const call: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST] }] },
      physicalResourceId: cr.PhysicalResourceId.of(CLOUDFRONT_ORIGIN_FACING_PREFIX_LIST),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    };
    const lookup = new cr.AwsCustomResource(this, 'Resource', {
      onCreate: call,
      onUpdate: call,
      // DescribeManagedPrefixLists supports no resource-level permissions.
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    this.prefixListId = lookup.getResponseField('PrefixLists.0.PrefixListId');
  }
}
