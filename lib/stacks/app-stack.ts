import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { API_PORT, ApiBundle, type ApiDependencies, ApiFleet, ApiLoadBalancer, ApiServer, WebClientBundle } from '../constructs/compute';
import type { DatabaseEndpoints } from '../constructs/database/database-endpoints';
import { Media } from '../constructs/media/media';
import type { RedisCache } from '../constructs/cache/redis-cache';
import type { WorkQueue } from '../constructs/queue/work-queue';
import type { SecurityGroups } from '../constructs/network/security-groups';
import { bucketValuesOf } from '../constructs/regions/cross-region-values';
import { PublicOrigin } from '../constructs/regions/public-origin';
import { apiOriginName } from '../constructs/regions/region-names';
import { RegionalApiName } from '../constructs/regions/regional-api-name';
import { readReplicaSecretArn, replicaSecretArn } from '../constructs/regions/secret-replica';
import { UploadsReplication } from '../constructs/regions/uploads-replication';
import { PeeringRoutes } from '../constructs/regions/vpc-peering';
import { instanceOrigin, latencyOrigin, loadBalancerOrigin } from '../constructs/site/api-origin';
import { OriginVerifySecret } from '../constructs/site/origin-verify-secret';
import { Site } from '../constructs/site/site';
import { retentionDays } from './retention';
import { addStackOutput } from './stack-outputs';
import { StageStack, type StageStackProps } from './stage-stack';

export interface AppStackProps extends StageStackProps {
  readonly vpc: ec2.IVpc;
  readonly securityGroups: SecurityGroups;
  /** Absent at stage 1 (PostgreSQL on the instance). */
  readonly database?: DatabaseEndpoints;
  /** 100k+. */
  readonly cache?: RedisCache;
  /** 1m. */
  readonly workQueue?: WorkQueue;
  /** Custom domain for CloudFront; needs `certificateArn`. @default the CloudFront domain */
  readonly domainName?: string;
  readonly certificateArn?: string;
  /** A prebuilt API bundle directory instead of building `api/`. @default builds it */
  readonly apiBundleDir?: string;
  /** Bumped to make CloudFront re-read a rotated origin secret (see `SiteProps`). @default 1 */
  readonly originSecretGeneration?: number;
  /** The distribution's web ACL (`EdgeStack.webAclArn()`, stage 100+). @default none */
  readonly webAclArn?: string;
  /** Stage 10m: what the home region's App adds for the second region. @default one region */
  readonly twoRegions?: HomeRegionLinks;
}

/** The home App's links to the second region (10m). */
export interface HomeRegionLinks {
  /** `-c domainName` (required at 10m), under which the latency and regional records live. */
  readonly domainName: string;
  /** `-c hostedZoneId`: the public zone of `domainName`. */
  readonly hostedZoneId: string;
  /** The home copy of the region configuration (the Data stack's). */
  readonly regionConfig: ssm.IStringParameter;
  readonly secondRegion: string;
  /** The second region's uploads replica (a cross-region reference). */
  readonly uploadsReplica: s3.IBucket;
  /** The VPC peering (the second region's Network stack) and the second VPC's range, for the home routes. */
  readonly peeringConnectionId: string;
  readonly secondVpcCidr: string;
}

/** The API's compute at a stage: what the Monitoring stack watches, and the stack outputs. */
export type AppCompute =
  | { readonly kind: 'single-instance'; readonly server: ApiServer }
  | { readonly kind: 'fleet'; readonly loadBalancer: ApiLoadBalancer; readonly fleet: ApiFleet };

/**
 * `<app>-App`: the API compute (one instance through stage 100, a fleet behind
 * a load balancer from 1k), CloudFront in front of it from stage 1, the
 * buckets and the Lambda functions.
 * Construct IDs are frozen: `ApiServer`, `ApiFleet`, `Site`, `Media`, `OriginVerifySecret`.
 */
export class AppStack extends StageStack {
  public readonly compute: AppCompute;
  public readonly site: Site;
  public readonly media?: Media;
  public readonly originSecret: OriginVerifySecret;
  /** 10m. */
  public readonly publicOrigin?: PublicOrigin;
  private importedReplica?: s3.IBucket;
  private readonly secondRegion?: string;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { spec, vpc, database } = props;
    // Referenced, never modified here: every rule lives in the Network stack.
    const imported = (name: string, group: ec2.ISecurityGroup) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, name, group.securityGroupId, { mutable: false });
    const apiSecurityGroup = imported('ApiSecurityGroup', props.securityGroups.api);
    const apiBundle = new ApiBundle(this, 'ApiBundle', { prebuiltDir: props.apiBundleDir });
    const logRetention = retentionDays(spec.monitoring.logRetentionDays);
    this.originSecret = new OriginVerifySecret(this, 'OriginVerifySecret', { replicaRegions: props.twoRegions ? [props.twoRegions.secondRegion] : undefined });

    if (spec.uploads) {
      this.media = new Media(this, 'Media', {
        spec: spec.uploads,
        logRetention,
        domainName: props.domainName,
      });
    }
    const dependencies: ApiDependencies = {
      originSecret: this.originSecret.secret,
      database,
      uploads: this.media,
      cache: props.cache,
      regionConfig: props.twoRegions?.regionConfig,
    };
    const originProps = { httpPort: API_PORT, customHeaders: this.originSecret.originHeaders };

    if (spec.compute.kind === 'fleet') {
      if (!props.securityGroups.loadBalancer) throw new Error('a fleet stage needs the load balancer security group');
      if (!database) throw new Error('a fleet stage needs RDS: its instances keep no database of their own');
      const loadBalancer = new ApiLoadBalancer(this, 'ApiLoadBalancer', {
        vpc,
        securityGroup: imported('LoadBalancerSecurityGroup', props.securityGroups.loadBalancer),
      });
      // The fleet's configuration names the distribution (MEDIA_BASE_URL), so the site comes first.
      // 10m: CloudFront reaches the API by its latency name instead of the VPC origin (PublicOrigin says why).
      const apiOrigin = props.twoRegions
        ? latencyOrigin(apiOriginName(props.twoRegions.domainName), originProps)
        : loadBalancerOrigin(loadBalancer.loadBalancer, originProps);
      this.site = this.newSite(props, apiOrigin, logRetention);
      loadBalancer.logAccessTo(this.site.accessLogsBucket);
      const fleet = new ApiFleet(this, 'ApiFleet', {
        ...dependencies,
        database,
        mediaBaseUrl: this.site.mediaBaseUrl,
        // 1m: the queue worker runs beside the API on every instance (same bundle, same environment).
        workQueue: props.workQueue,
        vpc,
        securityGroup: apiSecurityGroup,
        listener: loadBalancer.listener,
        instanceType: spec.compute.instanceType,
        rootVolumeGiB: spec.compute.rootVolumeGiB,
        minCapacity: spec.compute.minCapacity,
        maxCapacity: spec.compute.maxCapacity,
        targetCpuPercent: spec.compute.targetCpuPercent,
        apiBundle: apiBundle.asset,
        logRetention,
      });
      this.compute = { kind: 'fleet', loadBalancer, fleet };
      if (props.twoRegions) this.publicOrigin = this.linkSecondRegion(props, props.twoRegions, loadBalancer, fleet);
    } else {
      if (props.workQueue) throw new Error('the work queue needs the fleet: its worker runs on the fleet instances');
      if (spec.uploads?.viaCdn) throw new Error('photos through the CDN (uploads.viaCdn) need the fleet: only its configuration names the distribution');
      // Stages 1-100 keep photo files (and at 1 PostgreSQL) on the instance's data volume.
      const server = new ApiServer(this, 'ApiServer', {
        ...dependencies,
        vpc,
        securityGroup: apiSecurityGroup,
        instanceType: spec.compute.instanceType,
        rootVolumeGiB: spec.compute.rootVolumeGiB,
        dataVolumeGiB: spec.database.kind === 'on-instance' ? spec.database.volumeGiB : undefined,
        apiBundle: apiBundle.asset,
        webClient: spec.site ? undefined : new WebClientBundle(this, 'WebClient').asset,
        logRetention,
      });
      this.site = this.newSite(props, instanceOrigin(server.publicDnsName, originProps), logRetention);
      this.compute = { kind: 'single-instance', server };
    }

    if (props.workQueue) this.media?.thumbnails?.sendReadyTo(props.workQueue.queue);

    addStackOutput(this, 'AppUrl', this.site.url);
    addStackOutput(this, 'DistributionId', this.site.distribution.distributionId);
    addStackOutput(this, 'OriginSecretArn', this.originSecret.secret.secretArn);
    if (props.twoRegions) addStackOutput(this, 'OriginSecretReplicaArn', replicaSecretArn(this.originSecret.secret, props.twoRegions.secondRegion));
    this.secondRegion = props.twoRegions?.secondRegion;
    if (this.compute.kind === 'single-instance') {
      addStackOutput(this, 'InstanceId', this.compute.server.instance.instanceId);
      addStackOutput(this, 'DataVolumeId', this.compute.server.dataVolume.volumeId);
    } else {
      addStackOutput(this, 'AutoScalingGroupName', this.compute.fleet.autoScalingGroup.autoScalingGroupName);
      addStackOutput(this, 'TargetGroupArn', this.compute.fleet.targetGroup.targetGroupArn);
    }
    if (this.media) addStackOutput(this, 'UploadsBucketName', this.media.bucket.bucketName);
  }

  /**
   * 10m, home side: the public origin and its latency record, this region's
   * name for forwarded writes, the routes to the second VPC through the
   * peering, and the uploads bucket's replication to the second region.
   * (Routes are network, but they read the peering the second region's
   * Network stack makes, which deploys after this region's Network and Data.)
   */
  private linkSecondRegion(props: AppStackProps, links: HomeRegionLinks, loadBalancer: ApiLoadBalancer, fleet: ApiFleet): PublicOrigin {
    if (!this.media) throw new Error('two regions need the uploads bucket');
    const hostedZone = route53.HostedZone.fromHostedZoneId(this, 'HostedZone', links.hostedZoneId);
    const publicOrigin = new PublicOrigin(this, 'PublicOrigin', {
      vpc: props.vpc,
      apiSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(this, 'ApiSecurityGroupForPublicOrigin', props.securityGroups.api.securityGroupId, { mutable: false }),
      autoScalingGroup: fleet.autoScalingGroup,
      domainName: links.domainName,
      hostedZone,
      accessLogs: this.site.accessLogsBucket,
    });
    new RegionalApiName(this, 'RegionalApiName', { domainName: links.domainName, hostedZone, loadBalancer: loadBalancer.loadBalancer });
    new PeeringRoutes(this, 'PeeringRoutes', { vpc: props.vpc, peeringConnectionId: links.peeringConnectionId, destinationCidr: links.secondVpcCidr });
    new UploadsReplication(this, 'UploadsReplication', { source: this.media.bucket, destination: this.uploadsReplica(links) });
    return publicOrigin;
  }

  /**
   * 10m, for the second region's App: the ARN of the origin secret's replica
   * there (this stack's `OriginSecretReplicaArn` output, read whole; the
   * caller adds the stack dependency).
   */
  public originSecretReplicaArn(): string {
    if (!this.secondRegion) throw new Error('the origin secret has no replica: two regions only (10m)');
    return readReplicaSecretArn(this, 'OriginSecretReplicaArn');
  }

  /** The second region's uploads replica, by name and ARN (CDK refers to another region's bucket object only by physical name). */
  private uploadsReplica(links: HomeRegionLinks): s3.IBucket {
    this.importedReplica ??= s3.Bucket.fromBucketAttributes(this, 'UploadsReplica', { ...bucketValuesOf(links.uploadsReplica), region: links.secondRegion });
    return this.importedReplica;
  }

  /** The distribution in front of `apiOrigin`, the web client and (10k+) the photos. */
  private newSite(props: AppStackProps, apiOrigin: cloudfront.IOrigin, logRetention: logs.RetentionDays): Site {
    const { spec } = props;
    const failover = props.twoRegions && this.uploadsReplica(props.twoRegions);
    return new Site(this, 'Site', {
      edge: spec.edge,
      webClientBucket: spec.site,
      apiOrigin,
      uploadsBucket: spec.uploads?.viaCdn ? this.media?.bucket : undefined,
      uploadsFailoverBucket: failover,
      domainName: props.domainName,
      certificateArn: props.certificateArn,
      logRetention,
      originSecretGeneration: props.originSecretGeneration,
      webAclArn: props.webAclArn,
    });
  }
}
