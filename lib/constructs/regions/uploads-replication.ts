import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { replicationRole } from './replication-role';

export interface UploadsReplicationProps {
  /** The uploads bucket (versioned), in the home region. */
  readonly source: s3.Bucket;
  /** Its replica in the second region (versioned; a cross-region reference). */
  readonly destination: s3.IBucket;
  /** @default 'STANDARD' */
  readonly storageClass?: 'STANDARD';
}

/**
 * S3 replication of the uploads bucket to the second region (10m): every new
 * object, and every delete marker, is copied to the replica, which the CDN's
 * `/media/*` origin group falls back to. The role may read the source's
 * versions for replication and write replicas into the destination, nothing
 * else. Objects uploaded before replication was turned on are not copied: the
 * 1m → 10m runbook copies them once with S3 Batch Replication.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 */
export class UploadsReplication extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: UploadsReplicationProps) {
    super(scope, id);
    this.role = replicationRole(this, { description: 'S3 replication of the Graminsta uploads bucket to the second region', source: props.source, destination: props.destination });
    const bucket = props.source.node.defaultChild;
    if (!(bucket instanceof s3.CfnBucket)) throw new Error('UploadsReplication: the source has no CfnBucket');
    bucket.replicationConfiguration = {
      role: this.role.roleArn,
      rules: [
        {
          id: 'uploads-to-second-region',
          status: 'Enabled',
          priority: 0,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Enabled' },
          destination: { bucket: props.destination.bucketArn, storageClass: props.storageClass ?? 'STANDARD' },
        },
      ],
    };
  }
}
