import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { EdgeSpec, SiteSpec } from '../../../stages/stage-spec';
import { PrivateBucket } from '../common/private-bucket';
import { SPA_REWRITE_SOURCE } from './spa-rewrite';
import { WebClientDeployment } from './web-client-deployment';

const PRICE_CLASSES: Record<EdgeSpec['priceClass'], cloudfront.PriceClass> = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
};

export interface SiteProps {
  readonly edge: EdgeSpec;
  /**
   * The web client as a static build in its own bucket (stage 100+), served by
   * the default behaviour. @default the API origin serves the web client
   */
  readonly webClientBucket?: SiteSpec;
  /**
   * The API: the instance (stages 1–100) or the load balancer as a VPC origin
   * (1k+), with the origin secret header. See `api-origin.ts`.
   */
  readonly apiOrigin: cloudfront.IOrigin;
  /**
   * The uploads bucket, served under `/media/*` through origin access control
   * (stage 10k+, `uploads.viaCdn`). Its keys start with `media/`, so the path
   * maps to the key unchanged.
   * @default no `/media/*` behaviour
   */
  readonly uploadsBucket?: s3.IBucket;
  /**
   * The uploads bucket's replica in the second region (10m): `/media/*` reads
   * fail over to it (a CloudFront origin group) when the home bucket answers
   * 5xx or cannot be reached. Only GET, HEAD and OPTIONS fail over, which is
   * all `/media/*` allows: uploads go to the API or, presigned, straight to
   * the home bucket, never through this behaviour. Its bucket policy (in its
   * own stack) admits this account's distributions.
   * @default no failover
   */
  readonly uploadsFailoverBucket?: s3.IBucket;
  /** Custom domain (alias); needs `certificateArn`. @default the distribution's *.cloudfront.net name */
  readonly domainName?: string;
  /** ACM certificate in us-east-1 covering `domainName`. @default none */
  readonly certificateArn?: string;
  /** Retention of the deployment helper's logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default 365 */
  readonly accessLogRetentionDays?: number;
  /** A prebuilt web client directory (tests). @default built from `web/` at synth */
  readonly webClientDir?: string;
  /**
   * Written into the distribution's comment. CloudFormation reads the origin
   * secret (a dynamic reference) only when it updates the distribution, so a
   * new generation is how a rotated secret reaches CloudFront
   * (docs/runbooks/rotate-origin-secret.md). @default 1
   */
  readonly originSecretGeneration?: number;
  /**
   * ARN of an AWS WAF web ACL (scope CLOUDFRONT, in us-east-1) to put in front
   * of the distribution (stage 100+, `EdgeStack`). @default none
   */
  readonly webAclArn?: string;
}

/**
 * The app's CloudFront distribution, from stage 1: the only way users reach
 * the app, over HTTPS (HTTP is redirected, HSTS and the other security
 * headers are added to every response). `/api/*` goes to the API origin
 * uncached; the default behaviour serves the web client, from the API itself
 * at stages 1 and 10, from a private S3 bucket (origin access control) from
 * 100, so the browser always stays same-origin and the domain never changes
 * between stages; `/media/*` serves the uploads bucket when given.
 *
 * Construct IDs are frozen: `Distribution` carries the domain name users and
 * the API's MEDIA_BASE_URL use (the same resource from stage 1 on), and
 * `AccessLogs` and `Bucket` are stateful.
 */
export class Site extends Construct {
  /** The web client's bucket (stage 100+). */
  public readonly bucket?: s3.Bucket;
  /** CloudFront standard logs (`cloudfront/`) and S3 access logs (`site-bucket/`); pass it to other buckets' access logging too. */
  public readonly accessLogsBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  /** The web client's deployment into its bucket (stage 100+). */
  public readonly deployment?: WebClientDeployment;
  /** `https://<domain>` the site is reached at. */
  public readonly url: string;
  /** `https://<domain>/`, the base of photo URLs when the site serves the uploads bucket under `/media/*`. */
  public readonly mediaBaseUrl?: string;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    if ((props.domainName === undefined) !== (props.certificateArn === undefined)) {
      throw new Error('Site: domainName and certificateArn go together: pass both or neither');
    }
    this.accessLogsBucket = new PrivateBucket(this, 'AccessLogs', {
      // CloudFront standard logging writes with an ACL, so ACLs must stay enabled here.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays ?? 365) }],
    });

    // HSTS (one year), nosniff, frame and referrer policies on every response, API answers included.
    const securityHeaders = cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS;
    const apiBehavior: cloudfront.BehaviorOptions = {
      origin: props.apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      // Every viewer header (Authorization included), cookie and query string,
      // but not Host: the origin must see its own name, not the site's.
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: securityHeaders,
      compress: true,
    };
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = { '/api/*': apiBehavior };
    if (props.uploadsBucket) {
      additionalBehaviors['/media/*'] = {
        origin: props.uploadsFailoverBucket
          ? this.failoverMediaOrigin(props.uploadsBucket, props.uploadsFailoverBucket)
          : origins.S3BucketOrigin.withOriginAccessControl(props.uploadsBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      };
    }

    let defaultBehavior: cloudfront.BehaviorOptions;
    if (props.webClientBucket) {
      this.bucket = new PrivateBucket(this, 'Bucket', {
        versioned: true,
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: 'site-bucket/',
        lifecycleRules: [
          {
            id: 'expire-noncurrent-versions',
            noncurrentVersionExpiration: Duration.days(props.webClientBucket.noncurrentVersionDays),
            abortIncompleteMultipartUploadAfter: Duration.days(7),
          },
        ],
      });
      const spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
        code: cloudfront.FunctionCode.fromInline(SPA_REWRITE_SOURCE),
        runtime: cloudfront.FunctionRuntime.JS_2_0,
        comment: 'Serves /index.html for extensionless paths (client-side routes)',
      });
      defaultBehavior = {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeaders,
        compress: true,
        functionAssociations: [{ function: spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      };
    } else {
      // The API serves the web client (hashed assets immutable, index.html no-cache): cache what it says.
      defaultBehavior = {
        origin: props.apiOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.USE_ORIGIN_CACHE_CONTROL_HEADERS,
        responseHeadersPolicy: securityHeaders,
        compress: true,
      };
    }

    const certificate = props.certificateArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Graminsta over HTTPS: web client, /api/*, /media/* (origin secret generation ${props.originSecretGeneration ?? 1})`,
      // `/` is index.html from the bucket (100+) and from the API (1 and 10, which serves /index.html too).
      defaultRootObject: 'index.html',
      defaultBehavior,
      additionalBehaviors,
      priceClass: PRICE_CLASSES[props.edge.priceClass],
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      domainNames: props.domainName ? [props.domainName] : undefined,
      certificate,
      // Only with a custom certificate: the default *.cloudfront.net certificate is
      // CloudFront's own, whose policy (TLSv1) cannot be changed.
      minimumProtocolVersion: certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      enableLogging: true,
      logBucket: this.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
      webAclId: props.webAclArn,
    });
    this.url = `https://${props.domainName ?? this.distribution.distributionDomainName}`;
    // Photo keys start with `media/`, so the key appended to this is the `/media/*` path.
    this.mediaBaseUrl = props.uploadsBucket ? `${this.url}/` : undefined;

    if (this.bucket) {
      // Frozen ID: stateful (the deployment helper's logs).
      const deploymentLogs = new logs.LogGroup(this, 'DeploymentLogs', {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.deployment = new WebClientDeployment(this, 'WebClient', {
        bucket: this.bucket,
        distribution: this.distribution,
        logGroup: deploymentLogs,
        builtDir: props.webClientDir,
      });
    }
  }

  /**
   * `/media/*` at 10m: the home bucket, failing over to the second region's
   * replica on a 5xx or a failed connection (GET and HEAD only: the behaviour
   * allows nothing else), and on 403 and 404: a photo written in the second
   * region while it was home is missing from this bucket until S3 replicates
   * it back, and S3 answers a missing key with 403 to a reader that may not
   * list the bucket (CloudFront's origin access may not). The replica's bucket policy lives in its own stack
   * (it admits this account's distributions), so CDK's warning that it cannot
   * add the statement to an imported bucket is acknowledged here.
   */
  private failoverMediaOrigin(home: s3.IBucket, replica: s3.IBucket): cloudfront.IOrigin {
    Annotations.of(this).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      "the replica bucket's policy (second region's Data stack) admits this account's CloudFront distributions",
    );
    return new origins.OriginGroup({
      primaryOrigin: origins.S3BucketOrigin.withOriginAccessControl(home),
      fallbackOrigin: origins.S3BucketOrigin.withOriginAccessControl(replica),
      fallbackStatusCodes: [403, 404, 500, 502, 503, 504],
    });
  }
}
