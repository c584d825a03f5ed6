import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ManagedPrefixList } from './managed-prefix-list';

/** The AWS-managed prefix list of Route 53's health checkers (IPv4), in a region. */
export function route53HealthCheckerPrefixListName(region: string): string {
  return `com.amazonaws.${region}.route53-healthchecks`;
}

/**
 * The ID of the AWS-managed prefix list of Route 53's health checkers in this
 * stack's region (weight 25). Anyone's Route 53 health checks come from these
 * addresses, not only ours: what they may reach is what any request without
 * the origin secret may (the API answers only `/healthz` and `/readyz`).
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/route-53-ip-addresses.html
 */
export class Route53HealthCheckerPrefixList extends ManagedPrefixList {
  constructor(scope: Construct, id: string) {
    super(scope, id, { prefixListName: route53HealthCheckerPrefixListName(Stack.of(scope).region) });
  }
}
