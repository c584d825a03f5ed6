import { stageRange, type StageName } from '../../stages/ladder';

/**
 * Every cdk-nag AwsSolutions finding the project accepts, in one place. Each
 * is attached to exactly one construct (the CfnResource cdk-nag reports, or
 * the narrowest node that holds it) and only on the stages listed, with the
 * reason it is right there. test/tools/compliance/ fails on a reason shorter
 * than a real sentence and on an acknowledgement no finding needs.
 */
export interface Acknowledgement {
  /** Stack name without the app prefix; `SecondRegion:<Kind>` for the second region's stacks (10m), named `<app>-<region>-<Kind>`. */
  readonly stack: 'Network' | 'Data' | 'App' | 'Monitoring' | 'SecondRegion:Network' | 'SecondRegion:Data' | 'SecondRegion:App' | 'SecondRegion:Monitoring';
  /** Construct path inside the stack. */
  readonly path: string;
  /** cdk-nag rule ID, with the finding in brackets for per-finding rules (IAM4, IAM5). */
  readonly rule: string;
  readonly stages: readonly StageName[];
  readonly reason: string;
}

/** How an acknowledgement names a second-region stack (10m). */
export const SECOND_REGION_PREFIX = 'SecondRegion:';

// Ranges of the ladder (stages/ladder.ts holds the order).
const SINGLE_INSTANCE: readonly StageName[] = stageRange('1', '100');
const API_SERVES_WEB: readonly StageName[] = stageRange('1', '10');
const WITH_SITE: readonly StageName[] = stageRange('100');
const FLEET: readonly StageName[] = stageRange('1k');
const WITH_RDS: readonly StageName[] = stageRange('10');
const WITH_THUMBNAILS: readonly StageName[] = stageRange('10k');
const WITH_CACHE: readonly StageName[] = stageRange('100k');
const ALL: readonly StageName[] = stageRange('1');
const TWO_REGIONS: readonly StageName[] = stageRange('10m');

// CDK's own singleton functions (custom resource providers), named by fixed UUIDs in aws-cdk-lib.
const BUCKET_DEPLOYMENT = 'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C512MiB';
const LOG_RETENTION = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';
const AWS_CUSTOM_RESOURCE = 'AWS679f53fac002430cb0da5b7982bd2287';
const BUCKET_NOTIFICATIONS = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

// The second region's uploads bucket as its App stack reads it (a weak reference to its Data stack).
const SECOND_UPLOADS = '{"Fn::GetStackOutput":{"StackName":"<APP_NAME>-<SECOND_REGION>-Data","Region":"<SECOND_REGION>","OutputName":"PublishOutputFnGetAttUploadsReplicaC284C7D6Arn9EF0A9F2"}}';

const MANAGED = (name: string) => `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
const ASSETS_BUCKET = 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]';
const S3_READ_ACTIONS = ['s3:GetBucket*', 's3:GetObject*', 's3:List*'];

function instanceRole(path: string, stages: readonly StageName[], who: string, stack: Acknowledgement['stack'] = 'App'): Acknowledgement[] {
  return [
    {
      stack,
      path,
      rule: MANAGED('AmazonSSMManagedInstanceCore'),
      stages,
      reason: `${who} is managed through SSM Session Manager instead of SSH, and AmazonSSMManagedInstanceCore is the AWS-maintained minimum policy for that.`,
    },
    {
      stack,
      path,
      rule: MANAGED('CloudWatchAgentServerPolicy'),
      stages,
      reason: `${who} ships the API's log file and memory/disk metrics through the CloudWatch agent, whose AWS-maintained policy tracks the agent's needs.`,
    },
  ];
}

function instancePolicy(path: string, stages: readonly StageName[], who: string, stack: Acknowledgement['stack'] = 'App'): Acknowledgement[] {
  return [
    ...S3_READ_ACTIONS.map(
      (action): Acknowledgement => ({
        stack,
        path,
        rule: `AwsSolutions-IAM5[Action::${action}]`,
        stages,
        reason: `${who} reads its API bundle and web build as CDK assets; grantRead's ${action} wildcard covers only read actions on the assets objects.`,
      }),
    ),
    {
      stack,
      path,
      rule: ASSETS_BUCKET,
      stages,
      reason: `CDK asset objects have content-hash names unknown until synthesis, so ${who} may read any object of the CDK assets bucket, and nothing else in it.`,
    },
  ];
}

export function database(prefix: string, stages: readonly StageName[], replicaStages: readonly StageName[]): Acknowledgement[] {
  const acks: Acknowledgement[] = [
    {
      stack: 'Data',
      path: `${prefix}/Resource/Resource`,
      rule: 'AwsSolutions-RDS11',
      stages,
      reason: 'PostgreSQL keeps its default port 5432 because the port can never change later without replacing the database; it is reachable only from the API security group in isolated subnets.',
    },
  ];
  for (const replica of ['Replica1', 'Replica2']) {
    const path = `${prefix}/${replica}/Resource`;
    acks.push(
      {
        stack: 'Data',
        path,
        rule: 'AwsSolutions-RDS11',
        stages: replicaStages,
        reason: 'A read replica listens on its primary’s port 5432, which cannot change without replacing the primary; only the API security group reaches it.',
      },
      {
        stack: 'Data',
        path,
        rule: 'AwsSolutions-RDS2',
        stages: replicaStages,
        reason: 'The rule is wrong for a read replica: a same-region replica is always encrypted exactly as its primary is (StorageEncrypted true here), and CloudFormation takes no encryption setting for it, which is the property the rule looks for.',
      },
      {
        stack: 'Data',
        path,
        rule: 'AwsSolutions-RDS3',
        stages: replicaStages,
        reason: 'RDS could make a read replica Multi-AZ, but these replicas only serve SELECTs and hold no data of their own: the Multi-AZ primary does, a failed replica is recreated from it, and the API reads from the primary meanwhile, so a standby per replica would double their cost for nothing.',
      },
    );
  }
  return acks;
}

export const ACKNOWLEDGEMENTS: readonly Acknowledgement[] = [
  // Monitoring: its deploy guard function sets the stack policies of Network, Data and App (lib/constructs/deploy-guard/stack-policy.ts);
  // at 10m the second region's Monitoring does the same for that region's three (`<AppName>` is then `<app>-<region>`).
  ...([['Monitoring', ALL], ['SecondRegion:Monitoring', TWO_REGIONS]] as const).flatMap(([stack, stages]) =>
    (['Network', 'Data', 'App'] as const).map(
      (kind): Acknowledgement => ({
        stack,
        path: 'DeployGuard/Function/Role/DefaultPolicy/Resource',
        rule: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/<AppName>-${kind}/*]`,
        stages,
        reason: `A stack's ID ends in a UUID CloudFormation picks at creation, so the guard function may call SetStackPolicy on the ${kind} stack of its region by its name with any ID, and only that action.`,
      }),
    ),
  ),
  // Network
  {
    stack: 'Network',
    path: 'SecurityGroups/LoadBalancer/Resource',
    rule: 'AwsSolutions-EC23',
    stages: FLEET,
    reason: 'The internal load balancer admits port 80 from the VPC’s own address range, where CloudFront’s VPC origin interfaces connect from; cdk-nag cannot evaluate that range (a reference to the VPC) and nothing outside the VPC can reach the load balancer.',
  },
  {
    stack: 'Network',
    path: `${AWS_CUSTOM_RESOURCE}/ServiceRole/Resource`,
    rule: MANAGED('service-role/AWSLambdaBasicExecutionRole'),
    stages: SINGLE_INSTANCE,
    reason: 'The CDK-provided function that looks up CloudFront’s origin-facing prefix list only needs to write its own logs, which is what this AWS-maintained policy allows.',
  },
  {
    stack: 'Network',
    path: 'SecurityGroups/CloudFrontOrigins/Resource/CustomResourcePolicy/Resource',
    rule: 'AwsSolutions-IAM5[Resource::*]',
    stages: SINGLE_INSTANCE,
    reason: 'The ec2:DescribeManagedPrefixLists action supports no resource-level permissions, so the prefix-list lookup must be allowed on all resources; it is read-only.',
  },

  // Data
  ...database('Database', WITH_RDS, stageRange('100k')),
  ...['Shard1Database', 'Shard2Database', 'Shard3Database'].flatMap((prefix) => database(prefix, stageRange('1m'), stageRange('1m'))),
  {
    stack: 'Data',
    path: 'Database/Resource/Resource',
    rule: 'AwsSolutions-RDS3',
    stages: stageRange('10', '100'),
    reason: 'At stages 10 and 100 one Single-AZ instance with 7-day automated backups fits the traffic and budget; stage 1k turns Multi-AZ on in place.',
  },
  {
    stack: 'Data',
    path: 'DatabaseFoundation/MonitoringRole/Resource',
    rule: MANAGED('service-role/AmazonRDSEnhancedMonitoringRole'),
    stages: WITH_RDS,
    reason: 'RDS Enhanced Monitoring writes OS metrics with this role, and AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy made for it, limited to the RDSOSMetrics log group; only RDS monitoring of this account may assume the role.',
  },
  // CDK's log-retention function sets the retention of the RDS log groups: at home from 10, of the second region's replicas at 10m.
  ...([['Data', WITH_RDS], ['SecondRegion:Data', TWO_REGIONS]] as const).flatMap(([stack, stages]): Acknowledgement[] => [
    {
      stack,
      path: `${LOG_RETENTION}/ServiceRole/Resource`,
      rule: MANAGED('service-role/AWSLambdaBasicExecutionRole'),
      stages,
      reason: 'CDK’s log-retention function only writes its own logs, which this AWS-maintained policy allows; it sets the retention of the RDS log groups.',
    },
    {
      stack,
      path: `${LOG_RETENTION}/ServiceRole/DefaultPolicy/Resource`,
      rule: 'AwsSolutions-IAM5[Resource::*]',
      stages,
      reason: 'RDS creates its log groups itself, so CDK’s log-retention function cannot know their ARNs in advance and may set retention on any log group.',
    },
  ]),
  {
    stack: 'Data',
    path: 'VolumeBackup/Plan/TaggedVolumes/Role/Resource',
    rule: MANAGED('service-role/AWSBackupServiceRolePolicyForBackup'),
    stages: ALL,
    reason: 'AWS Backup snapshots the data volume with the AWS-maintained service policy made for exactly that role.',
  },
  {
    stack: 'Data',
    path: 'Cache/ReplicationGroup',
    rule: 'AwsSolutions-AEC5',
    stages: WITH_CACHE,
    reason: 'Redis keeps its default port 6379 because the port cannot change without replacing the cache; the cache accepts only the API security group, with TLS and an AUTH token.',
  },
  {
    stack: 'Data',
    path: 'Cache/AuthToken/Resource',
    rule: 'AwsSolutions-SMG4',
    stages: WITH_CACHE,
    reason: 'Rotating the Redis AUTH token needs an ElastiCache modify call with a rotate strategy that Secrets Manager rotation cannot do; it is rotated by hand in a deploy window.',
  },

  // App: the single instance (1 to 100)
  {
    stack: 'App',
    path: 'ApiServer/Resource/Resource',
    rule: 'AwsSolutions-EC28',
    stages: SINGLE_INSTANCE,
    reason: 'One small instance has its alarms on 5-minute basic metrics; per-minute detailed monitoring would add cost without changing how fast anyone reacts at this stage.',
  },
  {
    stack: 'App',
    path: 'ApiServer/Resource/Resource',
    rule: 'AwsSolutions-EC29',
    stages: SINGLE_INSTANCE,
    reason: 'Termination protection would block the 100 → 1k deploy that retires this instance; its data sits on a separately retained, backed-up volume instead.',
  },
  ...instanceRole('ApiServer/Role/Resource', SINGLE_INSTANCE, 'The API instance'),
  ...instancePolicy('ApiServer/Role/DefaultPolicy/Resource', SINGLE_INSTANCE, 'The API instance'),

  // App: the fleet (1k+)
  {
    stack: 'App',
    path: 'ApiFleet/Group/ASG',
    rule: 'AwsSolutions-AS3',
    stages: FLEET,
    reason: 'Fleet health is alarmed on unhealthy targets, 5xx and CPU in the Monitoring stack; scaling events stay in the group’s activity history, so per-event notifications would only add noise.',
  },
  {
    stack: 'App',
    path: 'ApiLoadBalancer/Resource/Resource',
    rule: 'AwsSolutions-ELB2',
    // At 10m the stacks' region is known, and the load balancer logs to the site's log bucket (ApiLoadBalancer.logAccessTo).
    stages: stageRange('1k', '1m'),
    reason: 'The load balancer only accepts CloudFront, whose access logs already record every request; ALB access logs would store the same requests twice.',
  },
  ...instanceRole('ApiFleet/Role/Resource', FLEET, 'Each fleet instance'),
  ...instancePolicy('ApiFleet/Role/DefaultPolicy/Resource', FLEET, 'Each fleet instance'),
  {
    stack: 'App',
    path: 'ApiFleet/Role/DefaultPolicy/Resource',
    rule: 'AwsSolutions-IAM5[Resource::<MediaBucket4022EBBF.Arn>/media/*]',
    stages: FLEET,
    reason: 'Photo keys are made per upload (media/originals/<user>/<photo>), so the API may read and write any object under media/ of the uploads bucket and nowhere else.',
  },

  // App: the distribution (every stage) and the site bucket (100+)
  {
    stack: 'App',
    path: 'OriginVerifySecret/Resource/Resource',
    rule: 'AwsSolutions-SMG4',
    stages: ALL,
    reason: 'The origin secret is rotated by the runbook in two steps (new value, then a deploy that makes CloudFront read it) because a rotation function cannot update CloudFront; the API accepts the current and the previous value throughout.',
  },
  {
    stack: 'App',
    path: 'Site/AccessLogs/Resource',
    rule: 'AwsSolutions-S1',
    stages: API_SERVES_WEB,
    reason: 'This bucket holds CloudFront’s standard logs; logging the log bucket would only log its own log deliveries, and from stage 100 it also takes the site bucket’s server access logs.',
  },
  {
    stack: 'App',
    path: 'Site/Distribution/Resource',
    rule: 'AwsSolutions-CFR1',
    stages: ALL,
    reason: 'Graminsta is a public photo app for users anywhere, so the distribution has no geographic restriction on purpose.',
  },
  {
    stack: 'App',
    path: 'Site/Distribution/Resource',
    rule: 'AwsSolutions-CFR2',
    stages: API_SERVES_WEB,
    reason: 'At stages 1 and 10 the distribution has no WAF web ACL: the API limits sign-up and log-in per client itself, and a web ACL (about $8 a month before requests) would be a quarter of the stage’s bill; stage 100 adds one (the Edge stack in us-east-1).',
  },
  {
    stack: 'App',
    path: 'Site/Distribution/Resource',
    rule: 'AwsSolutions-CFR4',
    // 10m requires domainName and certificateArn.
    stages: stageRange('1', '1m'),
    reason: 'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose TLS floor cannot be set; with domainName and certificateArn the distribution uses TLS 1.2 (2021 policy).',
  },
  {
    stack: 'App',
    path: 'Site/Distribution/Resource',
    rule: 'AwsSolutions-CFR5',
    stages: SINGLE_INSTANCE,
    reason: 'At stages 1 to 100 CloudFront reaches the instance over HTTP (no certificate exists for an EC2 name, and a private instance would need a NAT gateway or interface endpoints); the instance admits only CloudFront’s origin-facing prefix list and requests carrying the origin secret. From 1k the origin is a VPC origin.',
  },
  {
    stack: 'App',
    path: `${BUCKET_DEPLOYMENT}/Resource`,
    rule: 'AwsSolutions-L1',
    stages: WITH_SITE,
    reason: 'The web deployment function is CDK’s BucketDeployment provider, whose runtime aws-cdk-lib pins and updates with each release.',
  },
  {
    stack: 'App',
    path: `${BUCKET_DEPLOYMENT}/ServiceRole/Resource`,
    rule: MANAGED('service-role/AWSLambdaBasicExecutionRole'),
    stages: WITH_SITE,
    reason: 'CDK’s BucketDeployment function only writes its own logs with this AWS-maintained policy.',
  },
  ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map(
    (action): Acknowledgement => ({
      stack: 'App',
      path: `${BUCKET_DEPLOYMENT}/ServiceRole/DefaultPolicy/Resource`,
      rule: `AwsSolutions-IAM5[Action::${action}]`,
      stages: WITH_SITE,
      reason: `CDK’s BucketDeployment syncs the web build into the site bucket (deleting stale files), which needs ${action} on that bucket and the assets bucket only.`,
    }),
  ),
  {
    stack: 'App',
    path: `${BUCKET_DEPLOYMENT}/ServiceRole/DefaultPolicy/Resource`,
    rule: 'AwsSolutions-IAM5[Resource::<SiteBucket978D4AEB.Arn>/*]',
    stages: WITH_SITE,
    reason: 'The web build replaces every object of the site bucket, so the deployment function may write any key of that one bucket.',
  },
  {
    stack: 'App',
    path: `${BUCKET_DEPLOYMENT}/ServiceRole/DefaultPolicy/Resource`,
    rule: ASSETS_BUCKET,
    stages: WITH_SITE,
    reason: 'The web build is a CDK asset with a content-hash key, so the deployment function reads any object of the CDK assets bucket.',
  },
  {
    stack: 'App',
    path: `${BUCKET_DEPLOYMENT}/ServiceRole/DefaultPolicy/Resource`,
    rule: 'AwsSolutions-IAM5[Resource::*]',
    stages: WITH_SITE,
    reason: 'CDK’s BucketDeployment also invalidates CloudFront paths, and cloudfront:CreateInvalidation/GetInvalidation are granted on all resources by the construct.',
  },

  // App: media (10k+)
  {
    stack: 'App',
    path: `${BUCKET_NOTIFICATIONS}/Role/Resource`,
    rule: MANAGED('service-role/AWSLambdaBasicExecutionRole'),
    stages: WITH_THUMBNAILS,
    reason: 'CDK’s bucket-notification function that wires uploads to the thumbnail function only writes its own logs with this AWS-maintained policy.',
  },
  {
    stack: 'App',
    path: 'Media/Thumbnails/Function/Role/DefaultPolicy/Resource',
    rule: 'AwsSolutions-IAM5[Resource::<MediaBucket4022EBBF.Arn>/media/originals/*]',
    stages: WITH_THUMBNAILS,
    reason: 'The thumbnail function reads whichever original was just uploaded, so it may read any key under media/originals/ and nothing else.',
  },
  {
    stack: 'App',
    path: 'Media/Thumbnails/Function/Role/DefaultPolicy/Resource',
    rule: 'AwsSolutions-IAM5[Resource::<MediaBucket4022EBBF.Arn>/media/thumbnails/*]',
    stages: WITH_THUMBNAILS,
    reason: 'The thumbnail function writes one thumbnail per upload, so it may write any key under media/thumbnails/ and nothing else.',
  },
  {
    stack: 'App',
    path: 'Media/Thumbnails/FailureQueue/Resource',
    rule: 'AwsSolutions-SQS3',
    stages: WITH_THUMBNAILS,
    reason: 'This queue is itself the dead-letter destination of the thumbnail function’s failed invocations, so it has no dead-letter queue of its own.',
  },

  // App: the public origin load balancer's prefix-list lookups, CloudFront's and Route 53's health checkers' (10m, both regions)
  ...(['App', 'SecondRegion:App'] as const).flatMap((stack): Acknowledgement[] => [
    {
      stack,
      path: `${AWS_CUSTOM_RESOURCE}/ServiceRole/Resource`,
      rule: MANAGED('service-role/AWSLambdaBasicExecutionRole'),
      stages: TWO_REGIONS,
      reason: 'The CDK-provided function that looks up the prefix lists of CloudFront’s origin-facing servers and Route 53’s health checkers for the public origin load balancer only needs to write its own logs, which is what this AWS-maintained policy allows.',
    },
    ...['CloudFrontOrigins', 'HealthCheckers'].map(
      (lookup): Acknowledgement => ({
        stack,
        path: `PublicOrigin/${lookup}/Resource/CustomResourcePolicy/Resource`,
        rule: 'AwsSolutions-IAM5[Resource::*]',
        stages: TWO_REGIONS,
        reason: 'The ec2:DescribeManagedPrefixLists action supports no resource-level permissions, so the prefix-list lookup must be allowed on all resources; it is read-only.',
      }),
    ),
  ]),
  {
    stack: 'SecondRegion:Network',
    path: 'SecurityGroups/LoadBalancer/Resource',
    rule: 'AwsSolutions-EC23',
    stages: TWO_REGIONS,
    reason: 'The second region’s internal load balancer admits port 80 from its own VPC’s range and the home VPC’s (forwarded writes over the peering); cdk-nag cannot evaluate the reference to its VPC’s range, and nothing outside the two peered VPCs can reach it.',
  },

  // App (home, 10m): S3 replication of the uploads bucket
  {
    stack: 'App',
    path: 'UploadsReplication/Role/DefaultPolicy/Resource',
    rule: 'AwsSolutions-IAM5[Resource::<MediaBucket4022EBBF.Arn>/*]',
    stages: TWO_REGIONS,
    reason: 'S3 replication reads every new version of every object in the uploads bucket, so its role may read object versions (for replication only) under any key of that one bucket.',
  },
  {
    stack: 'App',
    path: 'UploadsReplication/Role/DefaultPolicy/Resource',
    rule: 'AwsSolutions-IAM5[Resource::{"Fn::GetStackOutput":{"StackName":"<APP_NAME>-<SECOND_REGION>-Data","Region":"<SECOND_REGION>","OutputName":"PublishOutputFnGetAttUploadsReplicaC284C7D6Arn9EF0A9F2"}}/*]',
    stages: TWO_REGIONS,
    reason: 'S3 replication writes a replica of any object of the uploads bucket into the second region’s replica bucket, so its role may replicate (and only replicate) to any key of that one bucket.',
  },

  // Second region (10m): its Data stack
  ...['Database', 'Shard1Database', 'Shard2Database', 'Shard3Database'].flatMap((prefix): Acknowledgement[] => [
    {
      stack: 'SecondRegion:Data',
      path: `${prefix}/Resource`,
      rule: 'AwsSolutions-RDS11',
      stages: TWO_REGIONS,
      reason: 'A cross-region read replica listens on its primary’s port 5432, which cannot change without replacing the primary; only the second region’s API security group reaches it.',
    },
    {
      stack: 'SecondRegion:Data',
      path: `${prefix}/Resource`,
      rule: 'AwsSolutions-RDS2',
      stages: TWO_REGIONS,
      reason: 'The rule looks for StorageEncrypted, which CloudFormation takes from the source for a read replica; a cross-region replica of the encrypted primary is encrypted with the KmsKeyId it names, this region’s ReplicaKey.',
    },
    {
      stack: 'SecondRegion:Data',
      path: `${prefix}/Resource`,
      rule: 'AwsSolutions-RDS3',
      stages: TWO_REGIONS,
      reason: 'The second region’s replicas serve reads and stand by for a regional failover; a Multi-AZ standby per replica would double their cost, and the failover runbook turns Multi-AZ on after promoting them.',
    },
  ]),
  {
    stack: 'SecondRegion:Data',
    path: 'DatabaseFoundation/MonitoringRole/Resource',
    rule: MANAGED('service-role/AmazonRDSEnhancedMonitoringRole'),
    stages: TWO_REGIONS,
    reason: 'RDS Enhanced Monitoring of the cross-region replicas writes OS metrics with this role, and AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy made for it; only RDS monitoring of this account may assume the role.',
  },
  {
    stack: 'SecondRegion:Data',
    path: 'Cache/ReplicationGroup',
    rule: 'AwsSolutions-AEC5',
    stages: TWO_REGIONS,
    reason: 'Redis keeps its default port 6379 because the port cannot change without replacing the cache; the cache accepts only the second region’s API security group, with TLS and an AUTH token.',
  },
  {
    stack: 'SecondRegion:Data',
    path: 'Cache/AuthToken/Resource',
    rule: 'AwsSolutions-SMG4',
    stages: TWO_REGIONS,
    reason: 'Rotating the Redis AUTH token needs an ElastiCache modify call with a rotate strategy that Secrets Manager rotation cannot do; it is rotated by hand in a deploy window, as at home.',
  },

  // Second region (10m): its App stack
  {
    stack: 'SecondRegion:App',
    path: 'AccessLogs/Resource',
    rule: 'AwsSolutions-S1',
    stages: TWO_REGIONS,
    reason: 'This bucket holds the second region’s load balancer access logs; logging the log bucket would only log its own log deliveries.',
  },
  {
    stack: 'SecondRegion:App',
    path: 'ApiFleet/Group/ASG',
    rule: 'AwsSolutions-AS3',
    stages: TWO_REGIONS,
    reason: 'The second region’s fleet health is watched by its Route 53 health check alarm; scaling events stay in the group’s activity history, so per-event notifications would only add noise.',
  },
  ...instanceRole('ApiFleet/Role/Resource', TWO_REGIONS, 'Each second-region fleet instance', 'SecondRegion:App'),
  ...instancePolicy('ApiFleet/Role/DefaultPolicy/Resource', TWO_REGIONS, 'Each second-region fleet instance', 'SecondRegion:App'),
  {
    stack: 'SecondRegion:App',
    path: 'ApiFleet/Role/DefaultPolicy/Resource',
    rule: `AwsSolutions-IAM5[Resource::${SECOND_UPLOADS}/media/*]`,
    stages: TWO_REGIONS,
    reason: 'Photo keys are made per upload, and once this region is home its API writes uploads to its own bucket, so it may read and write any object under media/ of that bucket and nowhere else.',
  },
  {
    stack: 'SecondRegion:App',
    path: 'UploadsReplicationToHome/Role/DefaultPolicy/Resource',
    rule: `AwsSolutions-IAM5[Resource::${SECOND_UPLOADS}/*]`,
    stages: TWO_REGIONS,
    reason: 'S3 replication back to the home bucket reads every new version of every object in the second region’s uploads bucket, so its role may read object versions (for replication only) under any key of that one bucket.',
  },
  {
    stack: 'SecondRegion:App',
    path: 'UploadsReplicationToHome/Role/DefaultPolicy/Resource',
    rule: 'AwsSolutions-IAM5[Resource::{"Fn::GetStackOutput":{"StackName":"<APP_NAME>-App","Region":"<HOME_REGION>","OutputName":"PublishOutputFnGetAttMediaBucket4022EBBFArn7E2EBF85"}}/*]',
    stages: TWO_REGIONS,
    reason: 'S3 replication back to the home bucket writes a replica of any object of the second region’s uploads bucket into it, so its role may replicate (and only replicate) to any key of that one bucket.',
  },
  {
    stack: 'SecondRegion:App',
    path: `${BUCKET_NOTIFICATIONS}/Role/Resource`,
    rule: MANAGED('service-role/AWSLambdaBasicExecutionRole'),
    stages: TWO_REGIONS,
    reason: 'CDK’s bucket-notification function that wires the second region’s uploads to its thumbnail function only writes its own logs with this AWS-maintained policy.',
  },
  {
    stack: 'SecondRegion:App',
    path: 'Thumbnails/Function/Role/DefaultPolicy/Resource',
    rule: `AwsSolutions-IAM5[Resource::${SECOND_UPLOADS}/media/originals/*]`,
    stages: TWO_REGIONS,
    reason: 'The second region’s thumbnail function reads whichever original was just uploaded there, so it may read any key under media/originals/ and nothing else.',
  },
  {
    stack: 'SecondRegion:App',
    path: 'Thumbnails/Function/Role/DefaultPolicy/Resource',
    rule: `AwsSolutions-IAM5[Resource::${SECOND_UPLOADS}/media/thumbnails/*]`,
    stages: TWO_REGIONS,
    reason: 'The second region’s thumbnail function writes one thumbnail per upload made there, so it may write any key under media/thumbnails/ and nothing else.',
  },
  {
    stack: 'SecondRegion:App',
    path: 'Thumbnails/FailureQueue/Resource',
    rule: 'AwsSolutions-SQS3',
    stages: TWO_REGIONS,
    reason: 'This queue is itself the dead-letter destination of the second region’s thumbnail function’s failed invocations, so it has no dead-letter queue of its own.',
  },
];
