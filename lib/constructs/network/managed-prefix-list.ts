import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export interface ManagedPrefixListProps {
  /** The AWS-managed prefix list's name, e.g. `com.amazonaws.global.cloudfront.origin-facing`. */
  readonly prefixListName: string;
}

/**
 * Resolves the ID of an AWS-managed prefix list by its name at deploy time.
 * The ID differs per region and `fromLookup` (which needs credentials at
 * synth) is not allowed here, so a custom resource asks EC2 for it instead.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/working-with-aws-managed-prefix-lists.html
 */
export class ManagedPrefixList extends Construct {
  /** `pl-...`, a deploy-time token. */
  public readonly prefixListId: string;

  constructor(scope: Construct, id: string, props: ManagedPrefixListProps) {
    super(scope, id);
    const call: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [props.prefixListName] }] },
      physicalResourceId: cr.PhysicalResourceId.of(props.prefixListName),
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
