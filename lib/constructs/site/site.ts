import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { SiteSpec } from '../../../stages/stage-spec';
import { retentionFor } from '../media/private/local-node-function';
import { SPA_REWRITE_SOURCE } from './spa-rewrite';
import { WebClientDeployment } from './web-client-deployment';

const PRICE_CLASSES: Record<SiteSpec['priceClass'], cloudfront.PriceClass> = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
};

export interface SiteProps {
  readonly spec: SiteSpec;
  /**
   * Where `/api/*` goes: the instance (stage 100) or the load balancer (1k+).
   * See `apiHttpOrigin()`.
   */
  readonly apiOrigin: cloudfront.IOrigin;
  /**
   * The uploads bucket, served under `/media/*` through origin access control
   * (stage 10k+, `uploads.viaCdn`). Its keys start with `media/`, so the path
   * maps to the key unchanged.
   * @default no `/media/*` behaviour
   */
  readonly uploadsBucket?: s3.IBucket;
  /** Custom domain (alias); needs `certificateArn`. @default the distribution's *.cloudfront.net name */
  readonly domainName?: string;
  /** ACM certificate in us-east-1 covering `domainName`. @default none */
  readonly certificateArn?: string;
  /** Retention of the deployment helper's logs. */
  readonly logRetentionDays: number;
  /** @default 365 */
  readonly accessLogRetentionDays?: number;
  /** A prebuilt web client directory (tests). @default built from `web/` at synth */
  readonly webClientDir?: string;
}

/**
 * The web client (stage 100+): a private S3 bucket behind CloudFront with origin
 * access control; the default behaviour serves the single-page app, `/api/*`
 * goes to the API origin (same origin for the browser, so no CORS), `/media/*`
 * to the uploads bucket when given.
 *
 * Construct IDs are frozen: `Bucket` and `AccessLogs` are stateful, and
 * `Distribution` carries the domain name users and the API's MEDIA_BASE_URL use.
 */
export class Site extends Construct {
  public readonly bucket: s3.Bucket;
  /** CloudFront standard logs (`cloudfront/`) and S3 access logs (`site-bucket/`); pass it to other buckets' access logging too. */
  public readonly accessLogsBucket: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly deployment: WebClientDeployment;
  /** `https://<domain>` the site is reached at. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    if ((props.domainName === undefined) !== (props.certificateArn === undefined)) {
      throw new Error('Site: domainName and certificateArn go together: pass both or neither');
    }
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes with an ACL, so ACLs must stay enabled here.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.accessLogRetentionDays ?? 365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'site-bucket/',
      lifecycleRules: [{ id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const spaRewrite = new cloudfront.Function(this, 'SpaRewrite', {
      code: cloudfront.FunctionCode.fromInline(SPA_REWRITE_SOURCE),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Serves /index.html for extensionless paths (client-side routes)',
    });
    const additionalBehaviors: Record<string, cloudfront.BehaviorOptions> = {
      '/api/*': {
        origin: props.apiOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        // Every viewer header (Authorization included), cookie and query string,
        // but not Host: the origin must see its own name, not the site's.
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        compress: true,
      },
    };
    if (props.uploadsBucket) {
      additionalBehaviors['/media/*'] = {
        origin: origins.S3BucketOrigin.withOriginAccessControl(props.uploadsBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        compress: true,
      };
    }
    const certificate = props.certificateArn ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Graminsta web client, /api/* to the API, /media/* to the uploads bucket',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        compress: true,
        functionAssociations: [{ function: spaRewrite, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors,
      priceClass: PRICE_CLASSES[props.spec.priceClass],
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      domainNames: props.domainName ? [props.domainName] : undefined,
      certificate,
      // Only with a custom certificate: the default *.cloudfront.net certificate is
      // CloudFront's own, whose policy (TLSv1) cannot be changed.
      minimumProtocolVersion: certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      enableLogging: true,
      logBucket: this.accessLogsBucket,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${props.domainName ?? this.distribution.distributionDomainName}`;

    // Frozen ID: stateful (the deployment helper's logs).
    const deploymentLogs = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: retentionFor(props.logRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.deployment = new WebClientDeployment(this, 'WebClient', {
      bucket: this.bucket,
      distribution: this.distribution,
      logGroup: deploymentLogs,
      builtDir: props.webClientDir,
    });
  }

  /**
   * Share of requests answered 5xx (edge + origin), percent, 5-minute average.
   * CloudFront publishes its metrics in us-east-1 only: an alarm on this must be
   * created in a us-east-1 stack (or an environment-agnostic one deployed there).
   */
  public metric5xxErrorRate(): cloudwatch.Metric {
    return this.distribution.metric5xxErrorRate({ period: Duration.minutes(5), statistic: 'Average' });
  }
}
