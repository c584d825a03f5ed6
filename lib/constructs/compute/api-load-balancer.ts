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
 * The fleet's internal Application Load Balancer (private subnets, no public
 * address) with its HTTP listener on port 80. CloudFront reaches it as a VPC
 * origin, over the AWS network; viewers get HTTPS from CloudFront.
 */
export class ApiLoadBalancer extends Construct {
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly listener: elbv2.ApplicationListener;

  constructor(scope: Construct, id: string, props: ApiLoadBalancerProps) {
    super(scope, id);
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Resource', {
      vpc: props.vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: props.securityGroup,
      dropInvalidHeaderFields: true,
      idleTimeout: Duration.seconds(60),
      // CloudFront's VPC origin names this load balancer, so deleting it takes the API offline until a new
      // one is made and the distribution re-pointed. A stack deletion, or a change that would replace it,
      // fails until the protection is turned off first (docs/infrastructure.md).
      deletionProtection: true,
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
}
