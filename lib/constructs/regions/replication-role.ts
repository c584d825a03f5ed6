import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface ReplicationRoleProps {
  readonly description: string;
  /** The bucket whose objects are replicated (versioned). */
  readonly source: s3.IBucket;
  /** The bucket they are replicated into (versioned). */
  readonly destination: s3.IBucket;
}

/**
 * The role S3 assumes to replicate one bucket into another, `Role` in
 * `scope`: it may read the source's configuration and its versions for
 * replication, and write replicas (objects, delete markers, tags) into the
 * destination, nothing else. Both directions of 10m's uploads replication
 * use it (UploadsReplication, UploadsReplicationToHome).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 */
export function replicationRole(scope: Construct, props: ReplicationRoleProps): iam.Role {
  const role = new iam.Role(scope, 'Role', { assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'), description: props.description });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [props.source.bucketArn] }));
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
      resources: [props.source.arnForObjects('*')],
    }),
  );
  role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], resources: [props.destination.arnForObjects('*')] }));
  return role;
}
