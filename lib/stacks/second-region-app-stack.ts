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
import { UploadsReplicationToHome } from '../constructs/regions/uploads-replication-to-home';
import { Thumbnails } from '../constructs/media/thumbnails';
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
  /**
   * The home uploads bucket: this region's bucket replicates back into it
   * (photos written here while this region is home), and its upload mode is
   * this region's.
   */
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
 * regional name, its public origin with its latency record and health
 * check, its thumbnail function and the replication of its uploads bucket
 * back to the home bucket. Its environment: this region's name, its copy of
 * the region configuration, its shard map (the local replicas as primaries,
 * on the credentials' replicas in this region), the origin secret's replica,
 * its own uploads bucket, Redis and queue, the session fallback on.
 */
export class SecondRegionAppStack extends StageStack {
  public readonly loadBalancer: ApiLoadBalancer;
  public readonly fleet: ApiFleet;
  public readonly publicOrigin: PublicOrigin;
  public readonly uploadsReplication: UploadsReplicationToHome;
  /** When the stage makes thumbnails (10k+, so always at 10m). */
  public readonly thumbnails?: Thumbnails;

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
    // This region's bucket, imported by name and ARN: S3 notifications on a bucket of another stack would put the
    // notification resource in that stack (the Data stack), which would then read this one's function (a cycle).
    const uploads = s3.Bucket.fromBucketAttributes(this, 'Uploads', { bucketName: data.uploadsReplica.bucketName, bucketArn: data.uploadsReplica.bucketArn });
    this.fleet = new ApiFleet(this, 'ApiFleet', {
      // The replica in this region, by ARN: the fleet may read it and nothing of the home region's secret.
      originSecret: secretsmanager.Secret.fromSecretCompleteArn(this, 'OriginSecretReplica', props.originSecretReplicaArn),
      database: data.endpoints,
      // Its own bucket: this region's API writes uploads only while it is home (elsewhere every write goes home,
      // presigning included), and then the home bucket may be gone. docs/infrastructure.md, "Two regions".
      uploads: {
        bucket: uploads,
        uploadMode: props.homeUploads.uploadMode,
        grantApiAccess: (grantee) => grantMediaAccess(uploads, grantee),
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
    // By name and ARN (a cross-region reference): CDK refers to another region's bucket object only by physical name.
    const homeUploads = s3.Bucket.fromBucketAttributes(this, 'HomeUploads', { ...bucketValuesOf(props.homeUploads.bucket), region: props.homeRegion });
    this.uploadsReplication = new UploadsReplicationToHome(this, 'UploadsReplicationToHome', { source: uploads, destination: homeUploads });
    // Thumbnails of the photos uploaded here (while this region is home); replicated originals are skipped by the
    // function (the region that took the upload makes the thumbnail, and it replicates too).
    const thumbnailsSpec = spec.uploads?.thumbnails;
    if (thumbnailsSpec && spec.uploads) {
      this.thumbnails = new Thumbnails(this, 'Thumbnails', {
        bucket: uploads,
        memoryMiB: thumbnailsSpec.memoryMiB,
        maxWidthPx: thumbnailsSpec.maxWidthPx,
        maxSourceBytes: spec.uploads.maxUploadBytes,
        logRetention,
        reservedConcurrency: thumbnailsSpec.reservedConcurrency,
      });
      this.thumbnails.sendReadyTo(data.workQueue.queue);
    }
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
