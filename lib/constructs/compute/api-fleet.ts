import { Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { weakReferencesFingerprint } from '../../weak-references';
import type { DatabaseEndpoints } from '../database/database-endpoints';
import type { ApiDependencies, ApiWorkQueue } from './api-dependencies';
import { API_PORT } from './api-port';
import { ApiEnvironmentParameter } from './private/api-environment-parameter';
import { API_CONFIG_SET, apiCloudFormationInit } from './private/api-init';
import { apiRuntimeConfig, grantApiDependencies } from './private/api-wiring';
import {
  amazonLinux2023,
  apiInstanceRole,
  bootstrapUserData,
  encryptedFleetRootVolume,
  imageIdResolvedAtLaunch,
} from './private/instance-image';

/**
 * How long a new instance takes from InService to serving: user data runs
 * cfn-init, which installs Node.js and the CloudWatch agent, unpacks the API
 * and waits (up to 3 minutes) for `/healthz`. ELB health checks are ignored for
 * this long, and the instance's CPU (high while it installs packages) stays out
 * of the group's scaling metric for as long.
 */
const BOOT_TIME = Duration.minutes(5);

export interface ApiFleetProps extends ApiDependencies {
  /** The fleet's instances keep no state: the database is RDS. */
  readonly database: DatabaseEndpoints;
  /** Where browsers fetch photos (`Site.mediaBaseUrl`, 10k+). @default the API serves them */
  readonly mediaBaseUrl?: string;
  /**
   * Every instance also runs the queue worker (`worker.js`, a second systemd
   * service) with the API's environment, consuming this queue (1m).
   * @default no queue and no worker
   */
  readonly workQueue?: ApiWorkQueue;
  readonly vpc: ec2.IVpc;
  /** The instances' group; the load balancer's group may reach it on the API port. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The load balancer's listener the fleet registers with. */
  readonly listener: elbv2.IApplicationListener;
  readonly instanceType: string;
  readonly rootVolumeGiB: number;
  /** At least 2, spread over the VPC's two AZs. */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Target tracking keeps the group's average CPU near this. */
  readonly targetCpuPercent: number;
  readonly apiBundle: s3assets.Asset;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The API fleet of stage 1k and up: an Auto Scaling group (launch template,
 * IMDSv2, encrypted root volume, AMI resolved at launch) in the
 * private-with-egress subnets of both AZs, behind the load balancer's listener,
 * replaced on ELB health checks of `/healthz`. Instances install the bundle with cfn-init and
 * signal only once `/healthz` answers (and, at 1m, the queue worker runs); a
 * new bundle or configuration (the shard map's version included) changes the
 * user data's fingerprint, hence the launch template, and CloudFormation
 * rolls it through the group one instance at a time, keeping the minimum in
 * service and rolling back when new instances do not become healthy. Its role
 * may read what the API's environment names (`ApiDependencies`).
 */
export class ApiFleet extends Construct {
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  public readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;
  /** The env file, read by the group's cfn-init metadata. */
  public readonly environment: ApiEnvironmentParameter;

  constructor(scope: Construct, id: string, props: ApiFleetProps) {
    super(scope, id);
    if (props.minCapacity < 2) throw new Error(`the fleet needs at least 2 instances (one per AZ), got minCapacity ${props.minCapacity}`);
    if (props.maxCapacity < props.minCapacity) {
      throw new Error(`maxCapacity (${props.maxCapacity}) must be at least minCapacity (${props.minCapacity})`);
    }
    const instanceType = new ec2.InstanceType(props.instanceType);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = apiInstanceRole(this, 'Role');
    // CloudFront, then the load balancer: two proxy hops.
    const config = apiRuntimeConfig(props, { proxies: 2, mediaBaseUrl: props.mediaBaseUrl, workQueue: props.workQueue });
    this.environment = new ApiEnvironmentParameter(this, 'Environment', { config });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Group', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      instanceType,
      machineImage: amazonLinux2023(instanceType),
      role: this.role,
      securityGroup: props.securityGroup,
      userData: bootstrapUserData(),
      requireImdsv2: true,
      blockDevices: [encryptedFleetRootVolume(props.rootVolumeGiB)],
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: BOOT_TIME,
      }),
      // An instance is InService at launch but serves (and signals) only once cfn-init has installed the API and
      // /healthz answers; until then its CPU is package installs, not load. Target tracking leaves it out of the
      // group's metric for this long (unset, AWS would fall back to the group's default cooldown, a simple-scaling knob).
      // @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-default-instance-warmup.html
      defaultInstanceWarmup: BOOT_TIME,
      init: apiCloudFormationInit({
        apiBundle: props.apiBundle,
        config,
        envFile: this.environment.fileContent,
        logGroupName: this.logGroup.logGroupName,
        metricsScope: 'AutoScalingGroupName',
        worker: props.workQueue ? { jobTimeoutSeconds: props.workQueue.spec.jobTimeoutSeconds } : undefined,
      }),
      initOptions: {
        configSets: [API_CONFIG_SET],
        // The fingerprint in user data is what makes a new bundle roll through the fleet.
        embedFingerprint: true,
      },
      signals: autoscaling.Signals.waitForMinCapacity({ timeout: Duration.minutes(15) }),
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        maxBatchSize: 1,
        minInstancesInService: props.minCapacity,
        waitOnResourceSignals: true,
        pauseTime: Duration.minutes(15),
      }),
      groupMetrics: [autoscaling.GroupMetrics.all()],
    });
    imageIdResolvedAtLaunch(this.autoScalingGroup);
    // The group itself (not its launch template) waits for the env file's parameter.
    const group = this.autoScalingGroup.node.defaultChild;
    if (!group) throw new Error('ApiFleet: the Auto Scaling group has no CloudFormation resource');
    group.node.addDependency(this.environment);
    // The init fingerprint above follows the env file's text. A resource replaced behind one of its weak references (a
    // read replica's new endpoint) changes the parameter's value but not that text; this line follows those resources
    // (lib/weak-references.ts), so such a replacement rolls the fleet too and every instance rewrites its env file.
    this.autoScalingGroup.userData.addCommands(
      Lazy.uncachedString({ produce: () => `# other stacks' resources read: ${weakReferencesFingerprint(this, this.environment.value)}` }),
    );
    // No cooldown: AWS applies cooldowns to simple scaling only; the group's default instance warm-up paces this policy.
    // @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/Cooldown.html
    this.autoScalingGroup.scaleOnCpuUtilization('CpuTarget', { targetUtilizationPercent: props.targetCpuPercent });

    this.targetGroup = props.listener.addTargets('Api', {
      port: API_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.autoScalingGroup],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: '/healthz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    grantApiDependencies(this.role, props, props.workQueue);
  }
}
