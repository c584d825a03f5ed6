import { Aws, CfnCondition, Duration, Fn, RemovalPolicy, Size, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { BACKUP_TAG } from '../database/volume-backup';
import type { ApiDependencies } from './api-dependencies';
import { API_PATHS } from './api-paths';
import { ApiEnvironmentParameter } from './private/api-environment-parameter';
import { API_CONFIG_SET, apiCloudFormationInit } from './private/api-init';
import { apiRuntimeConfig, grantApiDependencies } from './private/api-wiring';
import {
  amazonLinux2023,
  apiInstanceRole,
  bootstrapUserData,
  encryptedRootVolume,
  imageIdResolvedAtLaunch,
} from './private/instance-image';

/** The data volume of stages 10 and 100 (photo files only). */
const DEFAULT_DATA_VOLUME_GIB = 20;

/**
 * Without `database`, PostgreSQL runs on the instance, its files on the data
 * volume (stage 1); with it, the local server stops for good and its files
 * stay on the volume for the 1 -> 10 copy and a rollback.
 */
export interface ApiServerProps extends ApiDependencies {
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.ISecurityGroup;
  /** e.g. 't4g.small' (Graviton, the default architecture). */
  readonly instanceType: string;
  readonly rootVolumeGiB: number;
  /** Size of the separate, encrypted data volume mounted at DATA_DIR. @default 20 */
  readonly dataVolumeGiB?: number;
  readonly apiBundle: s3assets.Asset;
  /** The web client, when the API serves it at `/` (stages 1 and 10). @default none */
  readonly webClient?: s3assets.Asset;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** One-minute EC2 metrics. @default false */
  readonly detailedMonitoring?: boolean;
}

/**
 * The single API instance of stages 1 to 100. It holds state (the data volume,
 * and PostgreSQL at stage 1), so it is built never to be replaced:
 * - the AMI is resolved at deploy time, so a new AMI leaves the template alone;
 * - user data is the same for every bundle and configuration; the bundle, the
 *   env file and the units live in cfn-init metadata, which cfn-hup watches and
 *   re-applies in place (a metadata change is a no-interruption update);
 * - the data volume (encrypted gp3, RETAIN) is attached through the instance's
 *   `Volumes` property, which CloudFormation updates without interruption and
 *   which attaches it at launch, before cfn-init mounts it (a separate
 *   VolumeAttachment would wait for the instance's creation signal, which waits
 *   for the mount: a deadlock).
 * IMDSv2 only, SSM-managed, no SSH key, encrypted root volume. Its role may
 * read what the API's environment names (`ApiDependencies`).
 */
export class ApiServer extends Construct {
  public readonly instance: ec2.Instance;
  public readonly dataVolume: ec2.Volume;
  public readonly elasticIp: ec2.CfnEIP;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;
  /** The env file, read by the instance's cfn-init metadata. */
  public readonly environment: ApiEnvironmentParameter;
  private dnsName?: string;

  constructor(scope: Construct, id: string, props: ApiServerProps) {
    super(scope, id);
    const subnet = props.vpc.publicSubnets[0];
    const instanceType = new ec2.InstanceType(props.instanceType);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.dataVolume = new ec2.Volume(this, 'DataVolume', {
      availabilityZone: subnet.availabilityZone,
      size: Size.gibibytes(props.dataVolumeGiB ?? DEFAULT_DATA_VOLUME_GIB),
      volumeType: ec2.EbsDeviceVolumeType.GP3,
      encrypted: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    Tags.of(this.dataVolume).add(BACKUP_TAG.key, BACKUP_TAG.value);

    this.role = apiInstanceRole(this, 'Role');
    this.instance = new ec2.Instance(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: { subnets: [subnet] },
      securityGroup: props.securityGroup,
      instanceType,
      machineImage: amazonLinux2023(instanceType),
      role: this.role,
      userData: bootstrapUserData(),
      userDataCausesReplacement: false,
      requireImdsv2: true,
      blockDevices: [encryptedRootVolume(props.rootVolumeGiB)],
      detailedMonitoring: props.detailedMonitoring ?? false,
      // A public IP from launch: there is no NAT at these stages, and cfn-init must reach
      // CloudFormation, S3 and the package repositories before the Elastic IP (which waits
      // for the instance's creation signal) is associated and takes its place.
      associatePublicIpAddress: true,
    });
    this.instance.instance.volumes = [{ device: '/dev/sdf', volumeId: this.dataVolume.volumeId }];
    imageIdResolvedAtLaunch(this.instance.instance);

    // Only CloudFront reaches the instance: one proxy hop.
    const config = apiRuntimeConfig(props, { proxies: 1, dataDir: API_PATHS.dataDir, webRoot: props.webClient ? API_PATHS.webRoot : undefined });
    this.environment = new ApiEnvironmentParameter(this, 'Environment', { config });
    this.instance.instance.node.addDependency(this.environment);
    const init = apiCloudFormationInit({
      apiBundle: props.apiBundle,
      webClient: props.webClient,
      config,
      envFile: this.environment.fileContent,
      logGroupName: this.logGroup.logGroupName,
      metricsScope: 'InstanceId',
      dataVolumeId: this.dataVolume.volumeId,
      localPostgres: props.database ? 'stop' : 'run',
      cfnHup: {
        stackId: Aws.STACK_ID,
        region: Aws.REGION,
        resourceLogicalId: Stack.of(this).getLogicalId(this.instance.instance),
      },
    });
    this.instance.applyCloudFormationInit(init, {
      configSets: [API_CONFIG_SET],
      // No config hash in user data: a new bundle must update the instance, not replace it.
      embedFingerprint: false,
      timeout: Duration.minutes(20),
    });

    this.elasticIp = new ec2.CfnEIP(this, 'Eip', { domain: 'vpc', instanceId: this.instance.instanceId });
    grantApiDependencies(this.role, props);
  }

  /**
   * The public DNS name of the Elastic IP: an origin for CloudFront, which
   * cannot use an IP address. Built from the address because the instance's
   * own PublicDnsName attribute is read at launch, before the EIP is attached.
   */
  public get publicDnsName(): string {
    if (!this.dnsName) {
      // EC2's public DNS names: ec2-1-2-3-4.compute-1.amazonaws.com in us-east-1, ec2-1-2-3-4.<region>.compute.amazonaws.com elsewhere.
      const usEast1 = new CfnCondition(this, 'InUsEast1', { expression: Fn.conditionEquals(Aws.REGION, 'us-east-1') });
      const dashed = Fn.join('-', Fn.split('.', this.elasticIp.attrPublicIp));
      this.dnsName = Fn.conditionIf(
        usEast1.logicalId,
        Fn.join('', ['ec2-', dashed, '.compute-1.amazonaws.com']),
        Fn.join('', ['ec2-', dashed, '.', Aws.REGION, '.compute.amazonaws.com']),
      ).toString();
    }
    return this.dnsName;
  }
}
