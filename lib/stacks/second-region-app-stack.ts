import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { SecondRegionSpec } from '../../stages/stage-spec';
import { PrivateBucket } from '../constructs/common/private-bucket';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ApiBundle, ApiFleet, ApiLoadBalancer } from '../constructs/compute';
import { grantMediaAccess, type Media } from '../constructs/media/media';
import type { SecurityGroups } from '../constructs/network/security-groups';
import { PublicOrigin } from '../constructs/regions/public-origin';
import { bucketValuesOf } from '../constructs/regions/cross-region-values';
import { RegionalApiName } from '../constructs/regions/regional-api-name';
import type { SecondRegionDataStack } from './second-region-data-stack';
import { retentionDays } from './retention';
import { addStackOutput } from './stack-outputs';
import { StageStack, type StageStackProps } from './stage-stack';

export interface SecondRegionAppStackProps extends StageStackProps {
  readonly second: SecondRegionSpec;
  readonly vpc: ec2.IVpc;
  readonly securityGroups: SecurityGroups;
  readonly data: SecondRegionDataStack;
  /**
   * The ARN of the home App's origin secret's replica in this region
   * (`AppStack.originSecretReplicaArn()`): CloudFront sends the same header to
   * both regions, and this region checks it even when home is lost.
   */
  readonly originSecretReplicaArn: string;
  /** The home uploads bucket: uploads (and presigned POSTs) go there, whichever region the API runs in. */
  readonly homeUploads: Media;
  readonly homeRegion: string;
  /** `https://<domainName>/`: photos are served by the one distribution. */
  readonly mediaBaseUrl: string;
  readonly domainName: string;
  readonly hostedZoneId: string;
  /** A prebuilt API bundle directory instead of building `api/`. @default builds it */
  readonly apiBundleDir?: string;
}

/**
 * `<app>-<region>-App` (10m): the second region's API fleet (the API and the
 * queue worker on every instance), its internal load balancer (where the home
 * region forwards writes after a failover, over the peering) with its
 * regional name, and its public origin with its latency record and health
 * check. Its environment: this region's name, its copy of the region
 * configuration, its shard map (the local replicas), its Redis and queue,
 * the session fallback on.
 */
export class SecondRegionAppStack extends StageStack {
  public readonly loadBalancer: ApiLoadBalancer;
  public readonly fleet: ApiFleet;
  public readonly publicOrigin: PublicOrigin;

  constructor(scope: Construct, id: string, props: SecondRegionAppStackProps) {
    super(scope, id, props);
    const { spec, second, vpc, securityGroups, data } = props;
    if (!securityGroups.loadBalancer) throw new Error('the second region needs the load balancer security group');
    const imported = (name: string, group: ec2.ISecurityGroup) => ec2.SecurityGroup.fromSecurityGroupId(this, name, group.securityGroupId, { mutable: false });
    const logRetention = retentionDays(spec.monitoring.logRetentionDays);
    const accessLogs = new PrivateBucket(this, 'AccessLogs', {
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(365) }],
    });
    this.loadBalancer = new ApiLoadBalancer(this, 'ApiLoadBalancer', { vpc, securityGroup: imported('LoadBalancerSecurityGroup', securityGroups.loadBalancer) });
    this.loadBalancer.logAccessTo(accessLogs);
    // By name and ARN (cross-region references): CDK refers to another region's bucket object only by physical name.
    const homeUploads = s3.Bucket.fromBucketAttributes(this, 'HomeUploads', { ...bucketValuesOf(props.homeUploads.bucket), region: props.homeRegion });
    this.fleet = new ApiFleet(this, 'ApiFleet', {
      // The replica in this region, by ARN: the fleet may read it and nothing of the home region's secret.
      originSecret: secretsmanager.Secret.fromSecretCompleteArn(this, 'OriginSecretReplica', props.originSecretReplicaArn),
      database: data.endpoints,
      uploads: {
        bucket: homeUploads,
        uploadMode: props.homeUploads.uploadMode,
        grantApiAccess: (grantee) => grantMediaAccess(homeUploads, grantee),
      },
      cache: data.cache,
      regionConfig: data.regionConfig.parameter,
      sessionsDatabaseFallback: true,
      mediaBaseUrl: props.mediaBaseUrl,
      workQueue: data.workQueue,
      vpc,
      securityGroup: imported('ApiSecurityGroup', securityGroups.api),
      listener: this.loadBalancer.listener,
      instanceType: second.compute.instanceType,
      rootVolumeGiB: second.compute.rootVolumeGiB,
      minCapacity: second.compute.minCapacity,
      maxCapacity: second.compute.maxCapacity,
      targetCpuPercent: second.compute.targetCpuPercent,
      apiBundle: new ApiBundle(this, 'ApiBundle', { prebuiltDir: props.apiBundleDir }).asset,
      logRetention,
    });
    const hostedZone = route53.HostedZone.fromHostedZoneId(this, 'HostedZone', props.hostedZoneId);
    this.publicOrigin = new PublicOrigin(this, 'PublicOrigin', {
      vpc,
      apiSecurityGroup: imported('ApiSecurityGroupForPublicOrigin', securityGroups.api),
      autoScalingGroup: this.fleet.autoScalingGroup,
      domainName: props.domainName,
      hostedZone,
      accessLogs,
    });
    new RegionalApiName(this, 'RegionalApiName', { domainName: props.domainName, hostedZone, loadBalancer: this.loadBalancer.loadBalancer });
    addStackOutput(this, 'AutoScalingGroupName', this.fleet.autoScalingGroup.autoScalingGroupName);
    addStackOutput(this, 'TargetGroupArn', this.fleet.targetGroup.targetGroupArn);
  }
}
