import { stageRange, type StageName } from '../../stages/ladder';

/**
 * The AWS Control Tower proactive controls (cfn-guard rules bundled with
 * @cdklabs/cdk-validator-cfnguard) this project does not follow, each with
 * its reason, in one place. `stages` limits an exception to the stages that
 * need it; the control still runs on every other stage.
 */
export interface GuardException {
  /** Control ID as the rule reports it, e.g. 'CT.S3.PR.10' (rule file ct-s3-pr-10.guard). */
  readonly control: string;
  readonly reason: string;
  /** @default every stage */
  readonly stages?: readonly StageName[];
}

export const GUARD_EXCEPTIONS: readonly GuardException[] = [
  { control: 'CT.CLOUDWATCH.PR.2', reason: 'Log retention follows the stage spec (30 days and up); a year of flow and application logs is a compliance regime this app does not have, and costs more than the stage does at first.' },
  { control: 'CT.CLOUDWATCH.PR.3', reason: 'Every log group is encrypted with the stage’s KMS key (test/lib/stacks/security-rules.cases.ts checks each); outside the Network stack the key’s ARN arrives through Fn::GetStackOutput, and the rule accepts only a literal ARN or a reference inside the same template, so it cannot evaluate them offline.' },
  { control: 'CT.EC2.PR.10', reason: 'Launch templates keep basic 5-minute monitoring: the alarms are built on 5-minute periods, and detailed monitoring on every fleet instance is a cost the stages do not need.' },
  { control: 'CT.EC2.PR.8', reason: 'The single instance (stages 1 to 100) has no NAT gateway to reach AWS APIs and the package mirrors and is CloudFront’s origin by its Elastic IP, so it has a public address (from launch: cfn-init runs before the Elastic IP attaches) that admits only CloudFront; from 1k the fleet sits in private subnets without one.', stages: stageRange('1', '100') },
  { control: 'CT.EC2.PR.13', reason: 'The single instance keeps basic 5-minute monitoring, matching its 5-minute alarms (the same choice as the AwsSolutions-EC28 acknowledgement).', stages: stageRange('1', '100') },
  { control: 'CT.EC2.PR.19', reason: 'The small stages run on Graviton burstable types (t4g) for cost; traffic to RDS and Redis is TLS-encrypted by the clients, so Nitro in-transit encryption adds nothing required.', stages: stageRange('1', '100') },
  { control: 'CT.AUTOSCALING.PR.1', reason: 'The fleet spans two subnets in two Availability Zones (VPCZoneIdentifier lists both), but they arrive through Fn::GetStackOutput, which the rule cannot evaluate offline.' },
  { control: 'CT.AUTOSCALING.PR.6', reason: 'The fleet runs one Graviton instance type per stage so capacity planning (tools/plan) holds; a mixed-instances policy would change the measured throughput per instance.' },
  { control: 'CT.ELASTICLOADBALANCING.PR.1', reason: 'The load balancer is internal and has no certificate: CloudFront reaches it as a VPC origin over the AWS network, and viewers get HTTPS (with redirect) at CloudFront.' },
  { control: 'CT.ELASTICLOADBALANCING.PR.6', reason: 'CloudFront access logs already record every request the load balancer sees; ALB access logs would store the same requests twice (as in the AwsSolutions-ELB2 acknowledgement).' },
  { control: 'CT.CLOUDFRONT.PR.4', reason: 'Below 10m each path has one origin (site bucket, media bucket, API), with no second origin to fail over to; at 10m `/media/*` is an origin group over both regions’ buckets, and the API origin is one latency-routed name whose failover is DNS’s (Route 53 health checks), not an origin group’s, which would fail over only GET, HEAD and OPTIONS.' },
  { control: 'CT.CLOUDFRONT.PR.6', reason: 'Without a custom domain the distribution serves CloudFront’s default certificate; with domainName and certificateArn it uses the given ACM certificate.' },
  { control: 'CT.CLOUDFRONT.PR.7', reason: 'SNI applies to custom certificates only; with domainName and certificateArn the distribution uses SNI, without them there is nothing to configure.' },
  { control: 'CT.CLOUDFRONT.PR.8', reason: 'The API origin has no certificate (no domain of its own): at stages 1 to 100 CloudFront reaches the instance over HTTP from its origin-facing prefix list only, from 1k the internal load balancer as a VPC origin; the origin secret header is checked either way.' },
  { control: 'CT.CLOUDFRONT.PR.9', reason: 'The default *.cloudfront.net certificate does not allow a TLS floor; with a custom domain the distribution uses the TLSv1.2_2021 policy.' },
  { control: 'CT.ELASTICACHE.PR.8', reason: 'Redis clients authenticate with the AUTH token from Secrets Manager over TLS; RBAC user groups would add users to manage for one application user.', stages: stageRange('100k') },
  { control: 'CT.LAMBDA.PR.2', reason: 'At 10m the second region’s S3 notification permission names its bucket (in that region’s Data stack) through Fn::GetStackOutput, which the rule cannot evaluate offline; every S3 invoke permission carries SourceAccount and SourceArn (test/lib/stacks/two-regions.cases.ts checks each).', stages: stageRange('10m') },
  { control: 'CT.LAMBDA.PR.3', reason: 'CDK’s own provider functions and the thumbnail function talk only to AWS APIs and S3, so they run outside the VPC; the queue worker, which needs Redis, runs inside it.' },
  { control: 'CT.RDS.PR.1', reason: 'Stages 10 and 100 run one Single-AZ database with daily backups to fit their budget; stage 1k turns Multi-AZ on in place.', stages: stageRange('10', '100') },
  { control: 'CT.RDS.PR.7', reason: 'The API authenticates with the Secrets Manager password; IAM database authentication would add token refresh to every pooled connection.' },
  { control: 'CT.RDS.PR.20', reason: 'PostgreSQL keeps port 5432: the port can never change without replacing the database, and only the API security group reaches it.' },
  { control: 'CT.RDS.PR.30', reason: 'Storage is encrypted with the AWS-managed aws/rds key, chosen on purpose at the stage the database appears, because the key can never change later without replacing the database.' },
  { control: 'CT.S3.PR.2', reason: 'Only the access-log buckets lack server access logging: they are the log destinations, and logging them into themselves would loop.' },
  { control: 'CT.S3.PR.4', reason: 'Only the uploads bucket needs events (thumbnails, from 10k); the site and log buckets have no consumer for them.' },
  { control: 'CT.S3.PR.9', reason: 'Object Lock would stop users from deleting their photos (the API’s delete contract) and can never be turned off again.' },
  { control: 'CT.S3.PR.10', reason: 'Buckets use SSE-S3 encryption; SSE-KMS would add a KMS request per object read through CloudFront and a key policy for the origin access control.' },
  { control: 'CT.S3.PR.11', reason: 'Only the access-log buckets are unversioned: their objects are written once and expire, so versions would only keep duplicates.' },
  { control: 'CT.SQS.PR.1', reason: 'The thumbnail failure queue is itself the destination of failed invocations; a dead-letter queue behind a dead-letter queue has no consumer.' },
];

/** The rule file name of a control: CT.S3.PR.10 → ct-s3-pr-10. */
export function ruleFileOf(control: string): string {
  return control.toLowerCase().replace(/\./g, '-');
}

export function exceptionsFor(stage: StageName): GuardException[] {
  return GUARD_EXCEPTIONS.filter((exception) => !exception.stages || exception.stages.includes(stage));
}
