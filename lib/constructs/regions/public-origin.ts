import { Duration, Stack } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LIVENESS_PATH, READINESS_PATH } from '../../../contracts/health-paths';
import { ORIGIN_VERIFY_EXEMPT_PATHS } from '../../../contracts/origin-verify';
import { API_PORT } from '../compute/api-port';
import { CloudFrontOriginPrefixList } from '../network/cloudfront-origin-prefix-list';
import { Route53HealthCheckerPrefixList } from '../network/route53-health-checker-prefix-list';
import { apiOriginName } from './region-names';

export interface PublicOriginProps {
  readonly vpc: ec2.IVpc;
  /** The fleet's group: it admits the API port from this load balancer's group. */
  readonly apiSecurityGroup: ec2.ISecurityGroup;
  /** The fleet it forwards to. */
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly domainName: string;
  readonly hostedZone: route53.IHostedZone;
  /** A bucket in this region for the load balancer's access logs. */
  readonly accessLogs: s3.IBucket;
}

/**
 * One region's API origin for CloudFront at 10m: an internet-facing load
 * balancer (HTTPS, a certificate for `api-origin.<domain>`), the latency
 * record of that name pointing at it, and the Route 53 health check that
 * takes the region out of DNS when its fleet is down.
 *
 * Why a load balancer of its own: CloudFront resolves a custom origin by DNS,
 * so latency routing needs an origin CloudFront reaches by name; a VPC origin
 * (how CloudFront reaches the internal load balancer from 1k) names one load
 * balancer and cannot. Turning the internal load balancer internet-facing
 * would replace it (the scheme forces replacement; it also has deletion
 * protection) and take the API offline meanwhile, so it stays, for the
 * forwarded writes over the VPC peering, and this one is added beside it.
 *
 * The health check is a Route 53 HTTPS check of `/readyz` through this load
 * balancer, so a region whose API cannot reach its databases leaves DNS, not
 * only one whose fleet is gone: Route 53's checkers send no origin secret, and
 * the API answers `/readyz` without it (contracts/origin-verify.ts); a second
 * security group admits their prefix list (docs/infrastructure.md, "Two
 * regions", says why this replaced the CloudWatch-alarm check on healthy hosts
 * rather than joining it in a calculated check).
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-types.html
 */
export class PublicOrigin extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  public readonly healthCheck: route53.CfnHealthCheck;

  constructor(scope: Construct, id: string, props: PublicOriginProps) {
    super(scope, id);
    if (!ORIGIN_VERIFY_EXEMPT_PATHS.includes(READINESS_PATH)) throw new Error(`${READINESS_PATH} must answer without the origin secret: Route 53's health checkers cannot send it`);
    const region = Stack.of(this).region;
    const name = apiOriginName(props.domainName);
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: name,
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    });
    // Its own group, here rather than in the Network stack with the others: CloudFront's origin-facing prefix list
    // is looked up by a custom resource, and the Network stack's copy of CDK's lookup function (stages 1-100) was
    // retired at 1k (lib/transitions.ts). Only CloudFront's origin-facing addresses may connect, over HTTPS, and the
    // API still rejects a request without the origin secret.
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Graminsta public origin load balancer (CloudFront only)',
      allowAllOutbound: false,
    });
    const cloudFront = new CloudFrontOriginPrefixList(this, 'CloudFrontOrigins');
    securityGroup.addIngressRule(ec2.Peer.prefixList(cloudFront.prefixListId), ec2.Port.tcp(443), 'HTTPS from CloudFront origin-facing servers');
    // Its egress to the fleet on the API port is the one CDK adds for the targets (listener.addTargets below): a second,
    // identical rule of our own would fail the deploy (EC2 refuses a duplicate rule).
    new ec2.CfnSecurityGroupIngress(this, 'ApiFromPublicOrigin', {
      groupId: props.apiSecurityGroup.securityGroupId,
      sourceSecurityGroupId: securityGroup.securityGroupId,
      ipProtocol: 'tcp',
      fromPort: API_PORT,
      toPort: API_PORT,
      description: 'HTTP from the public origin load balancer',
    });
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup,
      dropInvalidHeaderFields: true,
      idleTimeout: Duration.seconds(60),
      deletionProtection: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogs, 'public-origin');
    const listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
    });
    this.targetGroup = listener.addTargets('Api', {
      port: API_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [props.autoScalingGroup],
      deregistrationDelay: Duration.seconds(30),
      // The same check as the internal load balancer's: the Auto Scaling group replaces instances failing either.
      healthCheck: { path: LIVENESS_PATH, healthyHttpCodes: '200', interval: Duration.seconds(15), timeout: Duration.seconds(5), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
    });

    // Route 53's health checkers, in a group of their own: CloudFront's prefix list weighs 55 of a group's 60 rules
    // (the default quota) and theirs 25. The load balancer's groups admit the union. CDK gives every group of the load
    // balancer the egress to its targets, so this one too may send only to the fleet on the API port.
    const healthCheckers = new ec2.SecurityGroup(this, 'HealthCheckerSecurityGroup', {
      vpc: props.vpc,
      description: 'Graminsta public origin load balancer (Route 53 health checkers)',
      allowAllOutbound: false,
    });
    const checkerAddresses = new Route53HealthCheckerPrefixList(this, 'HealthCheckers');
    healthCheckers.addIngressRule(ec2.Peer.prefixList(checkerAddresses.prefixListId), ec2.Port.tcp(443), 'HTTPS from Route 53 health checkers');
    this.loadBalancer.addSecurityGroup(healthCheckers);

    // By the load balancer's own name: the latency name would resolve, from each checker, to whichever region is
    // nearest it. No SNI: no certificate has that name, so the load balancer presents its default (and only) one;
    // with SNI the checkers would retry every handshake without it anyway. Every 30 s from each checker location
    // (several requests a second in all, uncoordinated), 3 failures in a row: the region leaves DNS in about 90 s.
    this.healthCheck = new route53.CfnHealthCheck(this, 'ReadinessCheck', {
      healthCheckConfig: {
        type: 'HTTPS',
        fullyQualifiedDomainName: this.loadBalancer.loadBalancerDnsName,
        port: 443,
        resourcePath: READINESS_PATH,
        enableSni: false,
        requestInterval: 30,
        failureThreshold: 3,
      },
      healthCheckTags: [{ key: 'Name', value: `${name} ${region} ${READINESS_PATH}` }],
    });

    const record = new route53.ARecord(this, 'LatencyRecord', {
      zone: props.hostedZone,
      recordName: `${name}.`,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(this.loadBalancer)),
      region,
      setIdentifier: region,
      healthCheck: route53.HealthCheck.fromHealthCheckId(this, 'HealthCheckRef', this.healthCheck.attrHealthCheckId),
    });
    // Only once the fleet has signalled healthy (its creation policy): a record made earlier would send users to a
    // region with no instance until the checkers have failed it three times (a new health check counts as healthy).
    record.node.addDependency(props.autoScalingGroup);
  }
}
