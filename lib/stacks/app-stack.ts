import { Aws } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { API_PATHS, API_PORT, ApiBundle, ApiFleet, ApiLoadBalancer, ApiServer, WebClientBundle } from '../constructs/compute';
import type { ApiRuntimeConfig } from '../constructs/compute/private/api-environment';
import { Media } from '../constructs/media/media';
import type { RedisCache } from '../constructs/cache/redis-cache';
import type { WorkQueue } from '../constructs/queue/work-queue';
import type { SecurityGroups } from '../constructs/network/security-groups';
import { instanceOrigin, loadBalancerOrigin } from '../constructs/site/api-origin';
import { OriginVerifySecret } from '../constructs/site/origin-verify-secret';
import { Site } from '../constructs/site/site';
import type { DatabaseEndpoints } from './data-stack';
import { queueVisibilityTimeoutSeconds } from '../../stages/stage-spec';
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
}

/** PostgreSQL on the instance, over its Unix socket with peer authentication: no password. */
const LOCAL_DATABASE_URL = 'postgres:///graminsta?host=/run/postgresql';
/** The data volume of stages 10 and 100 (photo files only). */
const DEFAULT_DATA_VOLUME_GIB = 20;

/**
 * `<app>-App`: the API compute (one instance through stage 100, a fleet behind
 * a load balancer from 1k), CloudFront in front of it from stage 1, the
 * buckets and the Lambda functions.
 * Construct IDs are frozen: `ApiServer`, `ApiFleet`, `Site`, `Media`, `OriginVerifySecret`.
 */
export class AppStack extends StageStack {
  public readonly server?: ApiServer;
  public readonly loadBalancer?: ApiLoadBalancer;
  public readonly fleet?: ApiFleet;
  public readonly site: Site;
  public readonly media?: Media;
  public readonly originSecret: OriginVerifySecret;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { spec, vpc, database } = props;
    // Referenced, never modified here: every rule lives in the Network stack.
    const imported = (name: string, group: ec2.ISecurityGroup) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, name, group.securityGroupId, { mutable: false });
    const apiSecurityGroup = imported('ApiSecurityGroup', props.securityGroups.api);
    const apiBundle = new ApiBundle(this, 'ApiBundle', { prebuiltDir: props.apiBundleDir });
    const logRetention = retentionDays(spec.monitoring.logRetentionDays);
    this.originSecret = new OriginVerifySecret(this, 'OriginVerifySecret');

    if (spec.uploads) {
      this.media = new Media(this, 'Media', {
        spec: spec.uploads,
        logRetentionDays: spec.monitoring.logRetentionDays,
        domainName: props.domainName,
      });
    }

    const fleetStage = spec.compute.kind === 'fleet';
    if (fleetStage) {
      if (!props.securityGroups.loadBalancer) throw new Error('a fleet stage needs the load balancer security group');
      this.loadBalancer = new ApiLoadBalancer(this, 'ApiLoadBalancer', {
        vpc,
        securityGroup: imported('LoadBalancerSecurityGroup', props.securityGroups.loadBalancer),
      });
    }

    // The fleet's configuration names the distribution, so the site comes first.
    let apiServer: ApiServer | undefined;
    if (!fleetStage) {
      // Stages 1-100 keep photo files (and at 1 PostgreSQL) on the instance's data volume.
      apiServer = this.server = new ApiServer(this, 'ApiServer', {
        vpc,
        securityGroup: apiSecurityGroup,
        instanceType: spec.compute.instanceType,
        rootVolumeGiB: spec.compute.rootVolumeGiB,
        dataVolumeGiB: spec.database.kind === 'on-instance' ? spec.database.volumeGiB : DEFAULT_DATA_VOLUME_GIB,
        apiBundle: apiBundle.asset,
        webClient: spec.site ? undefined : new WebClientBundle(this, 'WebClient').asset,
        config: {
          ...this.apiConfig(props),
          dataDir: API_PATHS.dataDir,
          webRoot: spec.site ? undefined : API_PATHS.webRoot,
        },
        localPostgres: spec.database.kind === 'on-instance' ? 'run' : 'stop',
        logRetention,
      });
    }

    const originProps = { httpPort: API_PORT, customHeaders: this.originSecret.originHeaders };
    this.site = new Site(this, 'Site', {
      edge: spec.edge,
      webClientBucket: spec.site,
      apiOrigin: this.loadBalancer
        ? loadBalancerOrigin(this.loadBalancer.loadBalancer, originProps)
        : instanceOrigin(apiServer!.publicDnsName, originProps),
      uploadsBucket: spec.uploads?.viaCdn ? this.media!.bucket : undefined,
      domainName: props.domainName,
      certificateArn: props.certificateArn,
      logRetentionDays: spec.monitoring.logRetentionDays,
      originSecretGeneration: props.originSecretGeneration,
      webAclArn: props.webAclArn,
    });
    this.loadBalancer?.logAccessTo(this.site.accessLogsBucket);

    if (spec.compute.kind === 'fleet') {
      this.fleet = new ApiFleet(this, 'ApiFleet', {
        vpc,
        securityGroup: apiSecurityGroup,
        listener: this.loadBalancer!.listener,
        instanceType: spec.compute.instanceType,
        rootVolumeGiB: spec.compute.rootVolumeGiB,
        minCapacity: spec.compute.minCapacity,
        maxCapacity: spec.compute.maxCapacity,
        targetCpuPercent: spec.compute.targetCpuPercent,
        apiBundle: apiBundle.asset,
        config: this.apiConfig(props),
        logRetention,
        // 1m: the queue worker runs beside the API on every instance (same bundle, same environment).
        worker: spec.queue && props.workQueue ? { jobTimeoutSeconds: spec.queue.jobTimeoutSeconds } : undefined,
      });
    }

    const role = this.server?.role ?? this.fleet!.role;
    this.originSecret.grantRead(role);
    if (database) {
      for (const secret of database.allSecrets) secret.grantRead(role);
      database.shardMap?.grantRead(role);
    }
    this.media?.grantApiAccess(role);
    props.cache?.grantReadAuthToken(role);
    if (props.workQueue) {
      if (!this.fleet) throw new Error('the work queue needs the fleet: its worker runs on the fleet instances');
      props.workQueue.grantSend(role);
      props.workQueue.grantConsume(role);
      this.media?.thumbnails?.sendReadyTo(props.workQueue.queue);
    }

    addStackOutput(this, 'AppUrl', this.site.url);
    addStackOutput(this, 'DistributionId', this.site.distribution.distributionId);
    addStackOutput(this, 'OriginSecretArn', this.originSecret.secret.secretArn);
    if (this.server) {
      addStackOutput(this, 'InstanceId', this.server.instance.instanceId);
      addStackOutput(this, 'DataVolumeId', this.server.dataVolume.volumeId);
    }
    if (this.fleet) {
      addStackOutput(this, 'AutoScalingGroupName', this.fleet.autoScalingGroup.autoScalingGroupName);
      addStackOutput(this, 'TargetGroupArn', this.fleet.targetGroup.targetGroupArn);
    }
    if (this.media) addStackOutput(this, 'UploadsBucketName', this.media.bucket.bucketName);
  }

  /** The API's environment (docs/configuration.md) for this stage. */
  private apiConfig(props: AppStackProps): ApiRuntimeConfig {
    const { spec, database } = props;
    return {
      port: API_PORT,
      databaseUrl: spec.database.kind === 'on-instance' ? LOCAL_DATABASE_URL : undefined,
      databaseSecretArn: database?.secret.secretArn,
      databaseCaFile: database ? API_PATHS.rdsCaBundle : undefined,
      databaseReplicaHosts: database?.replicaHosts,
      shardMapParameter: database?.shardMap?.parameterName,
      shardMapVersion: database?.shardMapVersion,
      uploadsBucket: this.media?.bucket.bucketName,
      uploadMode: spec.uploads ? (spec.uploads.presignedBrowserUploads ? 'presigned' : 'proxy') : undefined,
      mediaBaseUrl: spec.uploads?.viaCdn ? `${this.site.url}/` : undefined,
      redisUrl: props.cache?.redisUrl,
      redisCluster: props.cache ? true : undefined,
      redisAuthSecretArn: props.cache?.authSecret.secretArn,
      // Only CloudFront (and from 1k the load balancer behind it) reach the API: trust exactly those hops.
      trustProxy: spec.compute.kind === 'fleet' ? 2 : 1,
      originVerifySecretArn: this.originSecret.secret.secretArn,
      queue: props.workQueue ? 'sqs' : undefined,
      workQueueUrl: props.workQueue?.queue.queueUrl,
      queueVisibilityTimeoutSeconds: props.workQueue && spec.queue ? queueVisibilityTimeoutSeconds(spec.queue) : undefined,
      workerJobTimeoutSeconds: props.workQueue ? spec.queue?.jobTimeoutSeconds : undefined,
      workerConcurrency: props.workQueue ? spec.queue?.workerConcurrency : undefined,
      // Every stage reads the origin secret from Secrets Manager.
      awsRegion: Aws.REGION,
    };
  }
}
