import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface ApiLoadBalancerProps {
  readonly vpc: ec2.IVpc;
  /** Its rules (who may connect, where it may send) live in the Network stack. */
  readonly securityGroup: ec2.ISecurityGroup;
}

/**
 * The fleet's internet-facing Application Load Balancer (public subnets) with
 * its HTTP listener on port 80. From stage 100 on CloudFront is the public
 * entry, so only CloudFront's origin-facing addresses reach it (see the
 * security groups); CloudFront's viewers get HTTPS.
 */
export class ApiLoadBalancer extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly listener: elbv2.ApplicationListener;

  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: props.securityGroup,
      dropInvalidHeaderFields: true,
      idleTimeout: Duration.seconds(60),
    });
    // `open: false`: the security groups already say who may connect.
    this.listener = this.loadBalancer.addListener('Http', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, open: false });
  }

  /**
   * Sends access logs to `bucket` (prefix `alb/`). ELB's log-delivery
   * principal depends on the region, so this only takes effect when the
   * stack's region is known at synth (an environment-agnostic synth has none).
   */
  public logAccessTo(bucket: s3.IBucket): void {
    if (!Token.isUnresolved(Stack.of(this).region)) this.loadBalancer.logAccessLogs(bucket, 'alb');
  }

  /** The DNS name CloudFront uses as the `/api/*` origin. */
  public get dnsName(): string {
    return this.loadBalancer.loadBalancerDnsName;
  }
}
