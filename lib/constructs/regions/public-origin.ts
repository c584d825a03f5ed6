import { Duration, Stack } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { API_PORT } from '../compute/api-port';
import { CloudFrontOriginPrefixList } from '../network/cloudfront-origin-prefix-list';
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
 * The health check is a CloudWatch-alarm check on this target group's healthy
 * hosts, not an HTTPS check of `/readyz`: Route 53's checkers cannot send the
 * origin secret and are not in CloudFront's prefix list, the only addresses
 * this load balancer admits (docs/infrastructure.md, "Two regions").
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-types.html
 */
export class PublicOrigin extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  public readonly healthAlarm: cloudwatch.Alarm;
  public readonly healthCheck: route53.CfnHealthCheck;

  constructor(scope: Construct, id: string, props: PublicOriginProps) {
    super(scope, id);
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
    securityGroup.addEgressRule(props.apiSecurityGroup, ec2.Port.tcp(API_PORT), 'HTTP to the API fleet');
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
      healthCheck: { path: '/healthz', healthyHttpCodes: '200', interval: Duration.seconds(15), timeout: Duration.seconds(5), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
    });

    this.healthAlarm = new cloudwatch.Alarm(this, 'NoHealthyHosts', {
      alarmDescription: `The API in ${region} has no healthy instance behind its public origin: Route 53 takes the region out of ${name}`,
      metric: this.targetGroup.metrics.healthyHostCount({ period: Duration.minutes(1), statistic: 'Minimum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.healthCheck = new route53.CfnHealthCheck(this, 'HealthCheck', {
      healthCheckConfig: {
        type: 'CLOUDWATCH_METRIC',
        alarmIdentifier: { name: this.healthAlarm.alarmName, region },
        // No data (the alarm itself unknown) keeps the last verdict rather than flapping the region out.
        insufficientDataHealthStatus: 'LastKnownStatus',
      },
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
    // region with no instance until the alarm first evaluates (a health check with no data yet counts as healthy).
    record.node.addDependency(props.autoScalingGroup);
  }
}
