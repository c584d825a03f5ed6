import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { replicationRole } from './replication-role';

export interface UploadsReplicationToHomeProps {
  /** The second region's uploads bucket (versioned), in this stack's region. */
  readonly source: s3.IBucket;
  /** The home uploads bucket (versioned; a cross-region reference). */
  readonly destination: s3.IBucket;
}

/**
 * S3 replication of the second region's uploads bucket back to the home
 * bucket (10m): photos (and thumbnails, delete markers) written there while
 * that region was home reach the home bucket, so a failback finds them.
 * Together with the home bucket's replication into it this is two-way, and
 * loops nothing: S3 does not replicate a replica (an object created by
 * another replication rule) again, so an object crosses once, away from the
 * region that took the write.
 *
 * A custom resource (S3 PutBucketReplication) in the second region's App
 * stack, not the bucket's `ReplicationConfiguration`: the bucket lives in
 * that region's Data stack, which deploys before the home App stack (the
 * home bucket replicates into it), so it cannot name the home bucket. This
 * stack deploys after both. The bucket's template never sets replication, so
 * CloudFormation leaves the configuration alone, as it does the notification
 * configuration CDK writes the same way on imported buckets.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-what-is-isnot-replicated.html
 */
export class UploadsReplicationToHome extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: UploadsReplicationToHomeProps) {
    super(scope, id);
    this.role = replicationRole(this, { description: "S3 replication of the Graminsta second region's uploads bucket back to the home bucket", source: props.source, destination: props.destination });
    const put: cr.AwsSdkCall = {
      service: 'S3',
      action: 'putBucketReplication',
      parameters: {
        Bucket: props.source.bucketName,
        ReplicationConfiguration: {
          Role: this.role.roleArn,
          Rules: [
            {
              ID: 'uploads-to-home-region',
              Status: 'Enabled',
              Priority: 0,
              Filter: { Prefix: '' },
              DeleteMarkerReplication: { Status: 'Enabled' },
              Destination: { Bucket: props.destination.bucketArn, StorageClass: 'STANDARD' },
            },
          ],
        },
      },
      physicalResourceId: cr.PhysicalResourceId.of(`${props.source.bucketName}/replication`),
    };
    const configuration = new cr.AwsCustomResource(this, 'Configuration', {
      onCreate: put,
      onUpdate: put,
      onDelete: { service: 'S3', action: 'deleteBucketReplication', parameters: { Bucket: props.source.bucketName } },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['s3:PutReplicationConfiguration', 's3:GetReplicationConfiguration'], resources: [props.source.bucketArn] }),
        new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [this.role.roleArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    // S3 checks the role's permissions when the configuration is put: the policy first.
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) configuration.node.addDependency(policy);
  }
}
