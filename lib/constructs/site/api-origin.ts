import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';

export interface ApiHttpOriginProps {
  /** @default 80 */
  readonly httpPort?: number;
  /** @default 30 seconds (uploads through the API at 1k take longest) */
  readonly readTimeout?: Duration;
}

/**
 * The API as a CloudFront origin by DNS name: the instance's public DNS name at
 * stage 100, the load balancer's from 1k. CloudFront → origin is HTTP because
 * neither has a certificate of its own; the origin's security group accepts
 * only CloudFront's origin-facing prefix list (see the network construct).
 */
export function apiHttpOrigin(domainName: string, props: ApiHttpOriginProps = {}): cloudfront.IOrigin {
  return new origins.HttpOrigin(domainName, {
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
    httpPort: props.httpPort ?? 80,
    readTimeout: props.readTimeout ?? Duration.seconds(30),
    keepaliveTimeout: Duration.seconds(5),
  });
}
