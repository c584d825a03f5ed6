import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';

export interface ApiOriginProps {
  /** The port the API (or the load balancer) listens on. @default 80 */
  readonly httpPort?: number;
  /** Headers CloudFront adds to every request for this origin (the origin secret). */
  readonly customHeaders: Record<string, string>;
  /** @default 30 seconds (uploads through the API at 1k take longest) */
  readonly readTimeout?: Duration;
}

/**
 * The single instance of stages 1–100 as CloudFront's API origin, by the DNS
 * name of its Elastic IP. CloudFront → instance is HTTP over the internet:
 * there is no certificate for an EC2 name, and a private instance would need a
 * NAT gateway or interface endpoints (docs/infrastructure.md, "The edge"). It is
 * protected by the instance's security group (CloudFront's origin-facing
 * prefix list only) and by the origin secret header the API checks.
 */
export function instanceOrigin(domainName: string, props: ApiOriginProps): cloudfront.IOrigin {
  return new origins.HttpOrigin(domainName, {
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
    httpPort: props.httpPort ?? 80,
    readTimeout: props.readTimeout ?? Duration.seconds(30),
    keepaliveTimeout: Duration.seconds(5),
    customHeaders: props.customHeaders,
  });
}

/**
 * The fleet's internal load balancer (1k+) as a CloudFront VPC origin:
 * CloudFront connects from network interfaces in the VPC, over the AWS network,
 * to a load balancer with no public address. HTTP inside the VPC, so no
 * certificate or domain is needed; the origin secret header still applies.
 * @see https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-vpc-origins.html
 */
export function loadBalancerOrigin(loadBalancer: elbv2.IApplicationLoadBalancer, props: ApiOriginProps): cloudfront.IOrigin {
  return origins.VpcOrigin.withApplicationLoadBalancer(loadBalancer, {
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
    httpPort: props.httpPort ?? 80,
    readTimeout: props.readTimeout ?? Duration.seconds(30),
    keepaliveTimeout: Duration.seconds(5),
    customHeaders: props.customHeaders,
  });
}

/**
 * Stage 10m's API origin: a DNS name with a latency record per region
 * (`api-origin.<domain>`, `PublicOrigin`), so each CloudFront edge reaches the
 * nearest healthy region's public origin load balancer, over HTTPS (the name
 * has a certificate; the origin sees it as Host). Browsers stay same-origin:
 * only CloudFront's origin changes.
 */
export function latencyOrigin(domainName: string, props: ApiOriginProps): cloudfront.IOrigin {
  return new origins.HttpOrigin(domainName, {
    protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
    originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    readTimeout: props.readTimeout ?? Duration.seconds(30),
    keepaliveTimeout: Duration.seconds(5),
    customHeaders: props.customHeaders,
  });
}
