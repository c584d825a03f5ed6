import { RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

export interface PrivateBucketProps {
  /**
   * Who owns uploaded objects. Keep ACLs off unless a writer needs them
   * (CloudFront standard logging writes with an ACL).
   * @default s3.ObjectOwnership.BUCKET_OWNER_ENFORCED (ACLs disabled)
   */
  readonly objectOwnership?: s3.ObjectOwnership;
  /** @default false */
  readonly versioned?: boolean;
  /** Where S3 server access logs of this bucket go. @default no access logs */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /** @default none */
  readonly serverAccessLogsPrefix?: string;
  /** @default none */
  readonly lifecycleRules?: s3.LifecycleRule[];
  /** @default none */
  readonly cors?: s3.CorsRule[];
}

/**
 * The project's one bucket recipe: every public access blocked, TLS-only
 * requests, SSE-S3 encryption and RETAIN on removal and replacement (buckets
 * are stateful: their construct IDs are frozen by their owners). SSE-S3
 * because CloudFront's origin access control reads it without a KMS key
 * policy, and the setting can change in place later if a customer-managed
 * key is wanted.
 */
export class PrivateBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: PrivateBucketProps = {}) {
    super(scope, id, {
      ...props,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: props.objectOwnership ?? s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
