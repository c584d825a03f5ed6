import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { UploadsSpec } from '../../../stages/stage-spec';
import { MEDIA_PREFIX } from '../../../contracts/media-keys';
import { PrivateBucket } from '../common/private-bucket';
import { Thumbnails } from './thumbnails';

export interface MediaProps {
  /** The stage's uploads spec: CORS for presigned uploads and the thumbnail function follow from it. */
  readonly spec: UploadsSpec;
  /** Retention of the thumbnail function's logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The custom domain the web client is served from (CloudFront alias). When
   * given, it is the only origin allowed to POST uploads from a browser.
   * @default - any `https://*.cloudfront.net` origin (see `corsOrigins`)
   */
  readonly domainName?: string;
  /**
   * Bucket for S3 server access logs of the uploads bucket (prefix `uploads-bucket/`).
   * @default - a new `PrivateBucket`, its logs expiring after a year
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /** @default 30 */
  readonly noncurrentVersionRetentionDays?: number;
}

/**
 * The uploads bucket (stage 1k+) for photo files under `media/`, its CORS rules
 * for presigned browser POSTs (10k+) and the thumbnail function (10k+).
 *
 * Construct IDs are frozen: `Bucket` and `AccessLogs` are stateful; renaming
 * either would replace the bucket and strand every photo (they are RETAIN, so
 * the old bucket would survive, but the app would point at an empty one).
 */
export class Media extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.IBucket;
  /** Present when the spec asks for thumbnails. */
  public readonly thumbnails?: Thumbnails;
  /** How browsers upload photos: through the API, or with presigned POSTs straight to the bucket. */
  public readonly uploadMode: 'proxy' | 'presigned';

  constructor(scope: Construct, id: string, props: MediaProps) {
    super(scope, id);
    this.uploadMode = props.spec.presignedBrowserUploads ? 'presigned' : 'proxy';
    this.accessLogsBucket =
      props.serverAccessLogsBucket ??
      new PrivateBucket(this, 'AccessLogs', {
        lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
      });
    const cors = props.spec.presignedBrowserUploads ? [presignedPostCors(props.domainName)] : undefined;
    this.bucket = new PrivateBucket(this, 'Bucket', {
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'uploads-bucket/',
      cors,
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          // A deleted or overwritten photo stays recoverable this long.
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionRetentionDays ?? 30),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    if (props.spec.thumbnails) {
      this.thumbnails = new Thumbnails(this, 'Thumbnails', {
        bucket: this.bucket,
        memoryMiB: props.spec.thumbnails.memoryMiB,
        maxWidthPx: props.spec.thumbnails.maxWidthPx,
        maxSourceBytes: props.spec.maxUploadBytes,
        logRetention: props.logRetention,
        reservedConcurrency: props.spec.thumbnails.reservedConcurrency,
      });
    }
  }

  /**
   * What the API needs: read, write and delete photo objects under `media/`,
   * and list the bucket so a HEAD on a missing object answers 404, not 403
   * (S3 checks s3:ListBucket without a prefix for that; the bucket holds only
   * photo objects, so listing it reveals nothing the API does not own).
   */
  public grantApiAccess(grantee: iam.IGrantable): iam.Grant {
    return grantMediaAccess(this.bucket, grantee);
  }
}

/**
 * What the API may do in the uploads bucket: read, write and delete photo
 * objects (`media/`), and list (so a missing key is a 404, not a 403). Also
 * used by the second region's fleet (10m) on that region's bucket.
 */
export function grantMediaAccess(bucket: s3.IBucket, grantee: iam.IGrantable): iam.Grant {
  const objects = iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
    resourceArns: [bucket.arnForObjects(`${MEDIA_PREFIX}*`)],
  });
  iam.Grant.addToPrincipal({
    grantee,
    actions: ['s3:ListBucket'],
    resourceArns: [bucket.bucketArn],
  });
  return objects;
}

/**
 * CORS for presigned POSTs from the browser (the uploads bucket, and at 10m
 * the second region's, which takes them once that region is home). CORS only
 * decides whether the page may read S3's answer; what may be uploaded is
 * decided by the signed POST policy (key, content type, size), so a wildcard
 * origin grants nothing. Without a custom domain the distribution's
 * `*.cloudfront.net` name cannot be used here: the distribution has this
 * bucket as an origin, so referencing its domain name from the bucket would be
 * a dependency cycle.
 */
export function presignedPostCors(domainName?: string): s3.CorsRule {
  return {
    allowedMethods: [s3.HttpMethods.POST],
    allowedOrigins: corsOrigins(domainName),
    allowedHeaders: ['*'],
    exposedHeaders: ['ETag', 'Location'],
    maxAge: 3000,
  };
}

/** Browser origins allowed to POST uploads: the custom domain, else any CloudFront default domain. */
export function corsOrigins(domainName?: string): string[] {
  return domainName ? [`https://${domainName}`] : ['https://*.cloudfront.net'];
}
