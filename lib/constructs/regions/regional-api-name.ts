import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { regionalApiName } from './region-names';

export interface RegionalApiNameProps {
  readonly domainName: string;
  readonly hostedZone: route53.IHostedZone;
  /** The region's internal load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
}

/**
 * `<region>.regions.<domain>`: an alias of this region's internal load
 * balancer (private addresses, published in the public zone), the `apiUrl`
 * the other region's API forwards writes to over the VPC peering. A name from
 * the options, so the region configuration of either region can hold it
 * without reading the other region's stacks.
 */
export class RegionalApiName extends Construct {
  public readonly record: route53.ARecord;

  constructor(scope: Construct, id: string, props: RegionalApiNameProps) {
    super(scope, id);
    this.record = new route53.ARecord(this, 'Resource', {
      zone: props.hostedZone,
      recordName: `${regionalApiName(Stack.of(this).region, props.domainName)}.`,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(props.loadBalancer)),
    });
  }
}
