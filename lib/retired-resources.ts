import type { StageName } from '../stages/ladder';

/** A stateful resource that leaves the templates on purpose at some stage. */
export interface RetiredResource {
  /** Stack name without the app prefix. */
  readonly stack: 'Network' | 'Data' | 'App' | 'Monitoring';
  /** Construct path inside the stack (the template's `aws:cdk:path` minus the stack name). */
  readonly path: string;
  /** The first stage without it. */
  readonly retiredAt: StageName;
  /** What happens to it and why that loses nothing. */
  readonly reason: string;
  /** The runbook that moves its data first. */
  readonly runbook: string;
}

/**
 * The one place that says which stateful resources a stage retires. Both have
 * a RETAIN policy, so CloudFormation orphans them (they stay in the account)
 * instead of deleting them.
 */
export const RETIRED_RESOURCES: readonly RetiredResource[] = [
  {
    stack: 'App',
    path: 'ApiServer/DataVolume/Resource',
    retiredAt: '1k',
    reason:
      'The single instance gives way to the fleet, which keeps no local files. The volume (photos; at stage 1 also PostgreSQL) is orphaned, not deleted, after the runbook copied the photos to the uploads bucket; it stays as the rollback copy.',
    runbook: 'docs/runbooks/100-to-1k.md',
  },
  {
    stack: 'Network',
    path: 'AWS679f53fac002430cb0da5b7982bd2287/LogGroup/Resource',
    retiredAt: '1k',
    reason:
      "The log group of CDK's custom-resource function that looks up CloudFront's origin-facing prefix list for the single instance; from 1k CloudFront reaches the internal load balancer as a VPC origin and no lookup runs. It holds only those deploy-time calls' logs and is orphaned with its retention.",
    runbook: 'docs/runbooks/100-to-1k.md',
  },
  {
    stack: 'App',
    path: 'ApiServer/Logs/Resource',
    retiredAt: '1k',
    reason: "The single instance's API log group is orphaned with the instance; the fleet logs to its own group.",
    runbook: 'docs/runbooks/100-to-1k.md',
  },
];
