import { randomBytes } from 'node:crypto';
import { deployGuardRefusal } from './deploy-guard-stand-in';
import { stackPoliciesSet, stackPolicyRefusal } from './stack-policy-stand-in';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStageApp } from '../../../lib/build-app';
import { ORIGIN_VERIFY_HEADER } from '../../../contracts/origin-verify';
import { API_PATHS } from '../../../lib/constructs/compute';
import type { ApiTarget } from './api-calls';
import { startLocalS3, type LocalS3 } from '../../support/local-s3';
import { AttachedVolume } from './attached-volume';
import { AutoScalingGroupModel } from './auto-scaling-group-model';
import { AwsStandInDir, type Signal } from './aws-stand-in-dir';
import { BootInstance, waitFor } from './boot-instance';
import { CloudFormationStandIn } from './cloudformation-stand-in';
import { CloudFrontStandIn, type OriginRoute } from './cloudfront-stand-in';
import { instanceBootstrap, type InstanceBootstrap } from './instance-template';
import { RdsStandIn } from './rds-stand-in';
import { SecretsManagerStandIn } from '../../support/secrets-manager-stand-in';

type Template = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface StageBootProps {
  readonly stage: string;
  /** A directory of its own (cloud assembly, AWS stand-in, instance files). */
  readonly dir: string;
  /** The instance image: harness layer, then the cached root filesystem. */
  readonly imageLayers: readonly string[];
  readonly appName?: string;
  /** A prebuilt API bundle to ship instead of building `api/` (see BuildStageAppProps). */
  readonly apiBundleDir?: string;
}

/** An API instance the harness launched: the single instance of stages 1-100, or the fleet instance it boots. */
export interface LaunchedInstance {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly boot: BootInstance;
  /** What IMDS, CloudFormation and S3 serve it, and the signals it sends. */
  readonly aws: AwsStandInDir;
  /** The resource it was launched for: the instance, or the Auto Scaling group. */
  readonly resource: { readonly stack: string; readonly logicalId: string };
  /** The data volume its template attaches at launch (stages 1-100). */
  readonly dataVolume?: AttachedVolume;
  /** Its security groups, as launched. */
  readonly securityGroups: readonly string[];
  terminated: boolean;
}

/** An EBS volume of the account, managed by a stack or retained after it left one. */
export interface EbsVolume {
  readonly volume: AttachedVolume;
  readonly availabilityZone: string;
  /** The logical ID CloudFormation created it for (its aws:cloudformation:logical-id tag, kept once retained). */
  readonly logicalId: string;
  /** The resource it is while a deployed template has it; undefined once its stack retained it (DeletionPolicy Retain). */
  resource?: { readonly stack: string; readonly logicalId: string };
  attachment?: { readonly instanceId: string; readonly device: string };
}

/** Something CloudFormation failed to delete in a deploy's clean-up: it skips it, the stack ends UPDATE_COMPLETE, and the resource stays (billed) until removed by hand. */
export interface LeftBehind {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly reason: string;
  /** Security groups it keeps in use (a load balancer's). */
  readonly uses?: readonly string[];
}

export interface DeployResult {
  /** The API's resource is the same (an in-place update reaches it through cfn-hup). */
  readonly sameResource: boolean;
  readonly userDataUnchanged: boolean;
  /** The API instance CloudFormation replaced: the new resource launched, the old one terminated in the clean-up. */
  readonly replaced?: { readonly terminated: string; readonly launched: string };
  /** Resources the deploy's clean-up could not delete. */
  readonly leftBehind: readonly LeftBehind[];
  /** Why the database went away for a while during the deploy (a resize RDS makes with a restart), if it did. */
  readonly databaseRestart?: string;
}

/** The S3 credentials the stand-in (s3rver) accepts; Secrets Manager's stand-in ignores them. */
const STAND_IN_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

/** Variables of the API's env file that need nothing from AWS at boot. */
const LOCAL_VARIABLES = new Set(['PORT', 'HOST', 'LOG_LEVEL', 'DATA_DIR', 'WEB_ROOT', 'DATABASE_URL', 'TRUST_PROXY', 'UPLOAD_MODE', 'MEDIA_BASE_URL', 'AWS_REGION']);
/** Variables naming AWS resources the stand-ins below serve. */
const STAND_IN_VARIABLES = ['DATABASE_SECRET_ARN', 'DATABASE_CA_FILE', 'UPLOADS_BUCKET', 'ORIGIN_VERIFY_SECRET_ARN'];

/** How long the database stand-in stays away when RDS restarts the instance for a change (minutes on RDS). */
const DATABASE_RESTART_MS = 3_000;
/** The address CloudFront's VPC origin interface has in the VPC, which the load balancer appends to X-Forwarded-For. */
const VPC_ORIGIN_INTERFACE_ADDRESS = '10.0.2.17';

export function parseEnvFile(content: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of content.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0 && !line.startsWith('#')) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** The synthesized stage: its cloud assembly directory and templates by stack name. */
export function synthesizeStage(stage: string, outdir: string, options: { appName?: string; apiBundleDir?: string } = {}): Record<string, Template> {
  const { app, stacks } = buildStageApp({ stage, outdir, appName: options.appName, apiBundleDir: options.apiBundleDir });
  const assembly = app.synth();
  return Object.fromEntries(stacks.map((s) => [s.stackName, assembly.getStackByName(s.stackName).template]));
}

/** Every `Fn::GetStackOutput` in a template: the stack and output it reads. */
function stackOutputReferences(value: unknown, found: Array<{ stack: string; output: string }> = []): Array<{ stack: string; output: string }> {
  if (Array.isArray(value)) for (const item of value) stackOutputReferences(item, found);
  else if (value && typeof value === 'object') {
    const reference = (value as Record<string, { StackName?: unknown; OutputName?: unknown }>)['Fn::GetStackOutput'];
    if (reference && typeof reference.StackName === 'string' && typeof reference.OutputName === 'string') found.push({ stack: reference.StackName, output: reference.OutputName });
    for (const item of Object.values(value)) stackOutputReferences(item, found);
  }
  return found;
}

/**
 * One stage's API instance booted on this machine from the stage's synthesized templates:
 * CloudFormation's part played by the resolver, AWS's services by stand-ins on the instance's
 * network, chosen from what the instance's configuration names (the database secret, the RDS
 * certificate bundle, the uploads bucket).
 *
 * A deploy that replaces the API's resource (the single instance by the fleet's Auto Scaling
 * group at 1k, or back) launches the new one as CloudFormation would — a new instance on its own
 * network, booted from the new template's user data and metadata, reaching the same stand-ins
 * (the same database with its data, the same secrets, the same bucket) — waits for its creation
 * signal, then terminates the old instance in the clean-up: its data volume, DeletionPolicy
 * Retain, stays in the account, detached. The fleet is one booted instance (see
 * AutoScalingGroupModel).
 */
export class StageBoot {
  public rds?: RdsStandIn;
  /** The origin secret CloudFront would add to every request (x-origin-verify). */
  public originSecret?: string;
  public secrets?: SecretsManagerStandIn;
  /** The database's credentials secret, once a deployed template creates the database. */
  public databaseSecretArn?: string;
  /** What the SDK on the instance is pointed at (endpoints and credentials of the stand-ins). */
  public awsEnvironment: Record<string, string> = {};
  public s3?: LocalS3;
  public env: Record<string, string>;
  public bootstrap: InstanceBootstrap;
  /** Every instance launched, by instance ID (terminated ones too). */
  public readonly instances = new Map<string, LaunchedInstance>();
  /** Every EBS data volume, by volume ID (retained ones too). */
  public readonly volumes = new Map<string, EbsVolume>();
  /** The fleet's group, while a deployed template has one. */
  public group?: AutoScalingGroupModel;
  /** Resources that left their stack with DeletionPolicy Retain, still in the account (volumes are in `volumes`). */
  public readonly retained: Array<{ readonly stack: string; readonly logicalId: string; readonly type: string; readonly physicalId: string }> = [];
  /** Resources deploys left in the account (see LeftBehind), until removed by hand. */
  public readonly leftBehind: LeftBehind[] = [];
  /** Load balancers whose deletion protection was turned off outside CloudFormation (`modify-load-balancer-attributes`). */
  public readonly deletionProtectionOff = new Set<string>();
  public edge?: CloudFrontStandIn;

  /** The stage each stack was last deployed at. */
  public readonly stackStages: Record<string, string>;
  /**
   * The stack policy in force on each stack (name → body): the one the last deploy of the stack
   * holding the StackPolicy resources (Monitoring) set, as CloudFormation keeps it between deploys.
   */
  public readonly stackPolicies = new Map<string, string>();

  private current: LaunchedInstance;
  /** The cloud assembly each deployed stack's template comes from (where its assets are). */
  private readonly assemblyOf: Record<string, string> = {};
  private readonly assemblies: string[];
  /** Each stage synthesized once (with the props' API bundle): later deploys of it reuse it. */
  private readonly synthesized = new Map<string, { templates: Record<string, Template>; outdir: string }>();
  /** Logical IDs each stack ever had, and how often each was created anew (see CloudFormationStandInProps.generations). */
  private readonly history: Record<string, Set<string>> = {};
  private readonly generations: Record<string, Record<string, number>> = {};
  /** The host address of the first instance's network: where the stand-ins listen (the VPC's services). */
  private vpcAddress?: string;

  private constructor(
    private readonly props: StageBootProps,
    public cloudformation: CloudFormationStandIn,
    /** The deployed templates, by stack name (a partial deploy replaces some). */
    public readonly templates: Record<string, Template>,
    outdir: string,
  ) {
    this.stackStages = Object.fromEntries(Object.keys(templates).map((stack) => [stack, props.stage]));
    for (const [stack, template] of Object.entries(templates)) {
      this.history[stack] = new Set(Object.keys(template.Resources ?? {}));
      this.assemblyOf[stack] = outdir;
      // Created last, Monitoring protects the stacks created before it.
      for (const [target, body] of stackPoliciesSet(undefined, template)) this.stackPolicies.set(target, body);
    }
    this.synthesized.set(props.stage, { templates: { ...templates }, outdir });
    this.assemblies = [outdir];
    this.bootstrap = instanceBootstrap(cloudformation, this.appStack);
    this.env = parseEnvFile(this.fileContent(API_PATHS.envFile));
    this.current = this.createInstance(this.bootstrap);
    this.vpcAddress = this.current.boot.network.hostAddress;
  }

  public static async prepare(props: StageBootProps): Promise<StageBoot> {
    mkdirSync(props.dir, { recursive: true });
    const outdir = join(props.dir, 'cdk.out');
    const templates = synthesizeStage(props.stage, outdir, props);
    // The deployed templates are a map of their own: deploys replace its entries, never the synthesized stage's.
    const deployed = { ...templates };
    const boot = new StageBoot(props, new CloudFormationStandIn({ templates: deployed }), deployed, outdir);
    try {
      await boot.startStandIns();
    } catch (error) {
      await boot.destroy();
      throw error;
    }
    return boot;
  }

  private get appStack(): string {
    return `${this.props.appName ?? 'graminsta'}-App`;
  }

  private get networkStack(): string {
    return `${this.props.appName ?? 'graminsta'}-Network`;
  }

  /** The API instance now: the single instance, or the fleet's booted instance. */
  public get instance(): BootInstance {
    return this.current.boot;
  }

  /** The AWS stand-in directory of the API instance now. */
  public get aws(): AwsStandInDir {
    return this.current.aws;
  }

  /** The API instance's data volume, attached at launch (stages 1-100). */
  public get volume(): AttachedVolume | undefined {
    return this.current.dataVolume;
  }

  public get instanceId(): string {
    return this.current.instanceId;
  }

  /** A file's content in the resolved cfn-init metadata (whichever config writes it). */
  public fileContent(path: string): string {
    const init = this.bootstrap.metadata['AWS::CloudFormation::Init'] as Record<string, { files?: Record<string, { content?: unknown }> }>;
    for (const config of Object.values(init)) {
      const content = config?.files?.[path]?.content;
      if (typeof content === 'string') return content;
    }
    throw new Error(`no config writes ${path}`);
  }

  /** The data volume the instance's `Volumes` property attaches at launch, if any. */
  private attachedVolume(bootstrap: InstanceBootstrap): { volumeId: string; device: string; logicalId: string } | undefined {
    if (bootstrap.resourceType !== 'AWS::EC2::Instance') return undefined;
    const volumes = this.cloudformation.template(bootstrap.stack).Resources[bootstrap.metadataResource].Properties?.Volumes as Array<{ VolumeId: { Ref?: string } }> | undefined;
    if (!volumes?.length) return undefined;
    const resolved = (this.cloudformation.resolve(bootstrap.stack, volumes) as Array<{ VolumeId: string; Device: string }>)[0];
    return { volumeId: resolved.VolumeId, device: resolved.Device, logicalId: String(volumes[0].VolumeId.Ref) };
  }

  /** The resource of any stack whose `Ref` resolves to `value`. */
  private findByRef(type: string, value: string): { stack: string; logicalId: string; resource: Template } {
    for (const [stack, template] of Object.entries(this.templates)) {
      for (const [logicalId, resource] of Object.entries<Template>(template.Resources ?? {})) {
        if (resource.Type === type && this.cloudformation.ref(stack, logicalId) === value) return { stack, logicalId, resource };
      }
    }
    throw new Error(`no ${type} resolves to ${value}`);
  }

  private zoneOfSubnet(subnetId: string): string {
    const subnet = this.findByRef('AWS::EC2::Subnet', subnetId);
    return String(this.cloudformation.resolve(subnet.stack, subnet.resource.Properties.AvailabilityZone));
  }

  /**
   * The instance EC2 would launch for the bootstrap's resource, created (not booted): its
   * IMDS and CloudFormation stand-in, its root volume and network, and its data volume if its
   * template attaches one; for a group, the group's model and the instance the harness boots.
   */
  private createInstance(bootstrap: InstanceBootstrap): LaunchedInstance {
    const index = this.instances.size;
    const suffix = index === 0 ? '' : `-${index + 1}`;
    const resource = this.cloudformation.template(bootstrap.stack).Resources[bootstrap.metadataResource];
    let instanceId: string;
    let availabilityZone: string;
    let dataVolume: AttachedVolume | undefined;
    let securityGroups: string[];
    if (bootstrap.resourceType === 'AWS::EC2::Instance') {
      securityGroups = this.cloudformation.resolve(bootstrap.stack, resource.Properties.NetworkInterfaces?.[0]?.GroupSet ?? resource.Properties.SecurityGroupIds ?? []) as string[];
      // The single instance's ID is its Ref.
      instanceId = this.cloudformation.ref(bootstrap.stack, bootstrap.metadataResource);
      availabilityZone = String(this.cloudformation.resolve(bootstrap.stack, resource.Properties.AvailabilityZone));
      const attached = this.attachedVolume(bootstrap);
      if (attached) {
        dataVolume = AttachedVolume.create(join(this.props.dir, `volume${suffix}`), attached.volumeId);
        const volumeResource = this.cloudformation.template(bootstrap.stack).Resources[attached.logicalId];
        this.volumes.set(attached.volumeId, {
          volume: dataVolume,
          availabilityZone: String(this.cloudformation.resolve(bootstrap.stack, volumeResource.Properties.AvailabilityZone)),
          logicalId: attached.logicalId,
          resource: { stack: bootstrap.stack, logicalId: attached.logicalId },
          attachment: { instanceId, device: attached.device },
        });
      }
    } else {
      const launchTemplate = this.cloudformation.template(bootstrap.stack).Resources[resource.Properties.LaunchTemplate.LaunchTemplateId.Ref];
      securityGroups = this.cloudformation.resolve(bootstrap.stack, launchTemplate.Properties.LaunchTemplateData.SecurityGroupIds ?? []) as string[];
      const subnets = this.cloudformation.resolve(bootstrap.stack, resource.Properties.VPCZoneIdentifier) as string[];
      const zones = subnets.map((subnet) => this.zoneOfSubnet(subnet));
      // The instance booted is the one in the zone of the data volume (where a runbook's copy from it runs).
      const dataZone = [...this.volumes.values()].map((v) => v.availabilityZone).find((zone) => zones.includes(zone));
      this.group = new AutoScalingGroupModel({
        name: this.cloudformation.ref(bootstrap.stack, bootstrap.metadataResource),
        targetGroupArn: (this.cloudformation.resolve(bootstrap.stack, resource.Properties.TargetGroupARNs ?? []) as string[])[0],
        zones,
        minSize: Number(resource.Properties.MinSize),
        bootedZone: dataZone ?? zones[0],
      });
      ({ instanceId, availabilityZone } = this.group.bootedInstance);
    }
    const aws = new AwsStandInDir(join(this.props.dir, `aws${suffix}`), this.cloudformation.region, this.cloudformation.accountId);
    if (index > 0) aws.setCfnHupMinute(this.instances.values().next().value!.aws.cfnHupMinute);
    aws.publishAssets(this.assemblyOf[bootstrap.stack]);
    aws.publishResource(bootstrap.stack, bootstrap.metadataResource, bootstrap.metadata);
    aws.setInstance(instanceId, bootstrap.userData);
    const boot = new BootInstance({
      name: `stage${this.stackStages[bootstrap.stack]}${suffix}`,
      dir: join(this.props.dir, `instance${suffix}`),
      imageLayers: this.props.imageLayers,
      awsStandIn: aws.dir,
      volume: dataVolume,
    });
    // What EC2 and cloud-init give an instance: a hostname that resolves locally, and the VPC's
    // DNS resolver, which here is the host side of the link (nothing answers there, so a lookup of
    // a public name fails at once instead of timing out).
    const hostname = `ip-${boot.network.instanceAddress.replace(/\./g, '-')}`;
    boot.writeRootFile('/etc/hostname', `${hostname}\n`);
    boot.writeRootFile('/etc/hosts', `127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n127.0.1.1 ${hostname}\n`);
    boot.writeRootFile('/etc/resolv.conf', `nameserver ${boot.network.hostAddress}\n`);
    if (this.rds) boot.appendRootFile('/etc/hosts', `${this.vpcAddress} ${this.rds.hostname}\n`);
    if (index > 0) {
      this.writeAwsEnvironment(boot);
      this.publishCaBundle(aws);
    }
    const launched: LaunchedInstance = { instanceId, availabilityZone, boot, aws, resource: { stack: bootstrap.stack, logicalId: bootstrap.metadataResource }, dataVolume, securityGroups, terminated: false };
    this.instances.set(instanceId, launched);
    return launched;
  }

  private async startStandIns(): Promise<void> {
    this.secrets = await SecretsManagerStandIn.start({}, this.vpcAddress);
    // The one secret CloudFront would add to every request (x-origin-verify) is generated once.
    this.originSecret = randomBytes(36).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 48);
    await this.refreshStandIns();
  }

  /**
   * Starts the stand-ins the deployed templates now call for (the first time a stack
   * creates the database, say) and gives the instance what it needs to reach them.
   */
  private async refreshStandIns(): Promise<void> {
    const secrets = this.secrets!;
    const unknown = Object.keys(this.env).filter((name) => !LOCAL_VARIABLES.has(name) && !STAND_IN_VARIABLES.includes(name));
    if (unknown.length) throw new Error(`the boot test has no stand-in for ${unknown.join(', ')} (stage ${this.stackStages[this.bootstrap.stack]})`);
    const endpoints: Record<string, string> = { AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint };

    await this.ensureDatabase();

    const originSecretArn = this.env.ORIGIN_VERIFY_SECRET_ARN;
    if (originSecretArn) {
      // What Secrets Manager generates from the template's GenerateSecretString, and CloudFront then sends.
      this.findByRef('AWS::SecretsManager::Secret', originSecretArn);
      secrets.put(originSecretArn, this.originSecret!);
    }

    for (const instance of this.instances.values()) this.publishCaBundle(instance.aws);

    const bucket = this.env.UPLOADS_BUCKET;
    if (bucket) {
      this.s3 ??= await startLocalS3({ buckets: [bucket], address: this.vpcAddress });
      if (this.s3.bucket !== bucket) throw new Error(`the uploads bucket changed from ${this.s3.bucket} to ${bucket}: the stand-in serves one`);
    }
    if (this.s3) {
      endpoints.AWS_ENDPOINT_URL_S3 = this.s3.endpoint;
      // s3rver stores the aws-chunked framing of uploads that carry checksum trailers (real S3 decodes it).
      endpoints.AWS_REQUEST_CHECKSUM_CALCULATION = 'WHEN_REQUIRED';
    }

    this.awsEnvironment = { ...endpoints, ...STAND_IN_CREDENTIALS };
    this.writeAwsEnvironment(this.instance);
  }

  /** The RDS certificate bundle at the URL the instance's configuration downloads it from (DATABASE_CA_FILE). */
  private publishCaBundle(aws: AwsStandInDir): void {
    const caFile = this.env.DATABASE_CA_FILE;
    if (!caFile) return;
    if (!this.rds) throw new Error('DATABASE_CA_FILE without a database secret');
    const init = this.bootstrap.metadata['AWS::CloudFormation::Init'] as Record<string, { files?: Record<string, { source?: string }> }>;
    const source = Object.values(init).map((c) => c?.files?.[caFile]?.source).find(Boolean);
    if (!source) throw new Error(`no config downloads ${caFile}`);
    aws.putObject(source, Buffer.from(this.rds.caPem));
  }

  /**
   * On EC2 the SDK finds the instance role's credentials through IMDS and AWS's endpoints through
   * DNS, for any process and user; here a drop-in next to the unit cfn-init installs points the
   * services at the stand-ins, and sudo keeps the same variables for an operator's commands.
   */
  private writeAwsEnvironment(instance: BootInstance): void {
    const dropIn = `[Service]\n${Object.entries(this.awsEnvironment)
      .map(([k, v]) => `Environment=${k}=${v}`)
      .join('\n')}\n`;
    for (const unit of [API_PATHS.serviceName, API_PATHS.workerServiceName]) instance.writeRootFile(`/etc/systemd/system/${unit}.service.d/aws-stand-in.conf`, dropIn);
    instance.writeRootFile('/etc/sudoers.d/aws-stand-in', `Defaults env_keep += "${Object.keys(this.awsEnvironment).join(' ')}"\n`);
  }

  /**
   * The database the deployed templates create (an RDS instance with a secret attached), as a
   * real PostgreSQL server with the secret Secrets Manager would then hold. Started once: a
   * later deploy that drops it from the template leaves it running, as deletion protection does.
   */
  private async ensureDatabase(): Promise<void> {
    if (this.rds) return;
    const network = this.instance.network;
    for (const [stack, template] of Object.entries(this.templates)) {
      const attachment = Object.values<Template>(template.Resources ?? {}).find((r) => r.Type === 'AWS::SecretsManager::SecretTargetAttachment');
      if (!attachment) continue;
      // The secret as Secrets Manager holds it once the SecretTargetAttachment has run: the
      // template's generated username and password, plus the target's engine, host, port and
      // database name. https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_secret_json_structure.html
      const secretLogicalId = attachment.Properties.SecretId.Ref as string;
      const secretArn = this.cloudformation.ref(stack, secretLogicalId);
      const secretResource = template.Resources[secretLogicalId];
      const databaseId = attachment.Properties.TargetId.Ref as string;
      const database = template.Resources[databaseId];
      const secretTemplate = JSON.parse(secretResource.Properties.GenerateSecretString.SecretStringTemplate) as { username: string };
      const hostname = this.cloudformation.getAtt(stack, databaseId, 'Endpoint.Address');
      this.rds = await RdsStandIn.start({
        dir: join(this.props.dir, 'rds'),
        hostname,
        listen: this.vpcAddress!,
        clientAddress: network.instanceAddress,
        username: secretTemplate.username,
        databaseName: database.Properties.DBName,
      });
      this.instance.appendRootFile('/etc/hosts', `${this.vpcAddress} ${hostname}\n`);
      this.databaseSecretArn = secretArn;
      this.secrets!.put(
        secretArn,
        JSON.stringify({
          ...secretTemplate,
          password: this.rds.password,
          engine: 'postgres',
          host: hostname,
          port: this.rds.port,
          ...(this.rds.databaseName ? { dbname: this.rds.databaseName } : {}),
          dbInstanceIdentifier: this.cloudformation.ref(stack, databaseId),
        }),
      );
      return;
    }
  }

  /** The cloud assembly directory of the API bundle the instance unpacks to /opt/graminsta/api. */
  public apiBundleDir(): string {
    const init = this.bootstrap.metadata['AWS::CloudFormation::Init'] as Record<string, { sources?: Record<string, string> }>;
    const url = Object.values(init).map((c) => c?.sources?.[API_PATHS.apiDir]).find(Boolean);
    if (!url) throw new Error(`no config unpacks a source into ${API_PATHS.apiDir}`);
    const hash = /\/([0-9a-f]{64})\.zip$/.exec(url)?.[1];
    if (!hash) throw new Error(`${url} is not a CDK asset`);
    return join(this.assemblies[this.assemblies.length - 1], `asset.${hash}`);
  }

  /**
   * `cdk deploy` of a new version of the stage (here: another API bundle) onto the running
   * stacks: its assets are published, then CloudFormation updates the resource's metadata (what
   * cfn-hup watches). Says whether the instance stays the same resource with the same user data.
   */
  public deployUpdate(options: { readonly apiBundleDir?: string }): { sameResource: boolean; userDataUnchanged: boolean } {
    const stage = this.stackStages[this.bootstrap.stack];
    const outdir = join(this.props.dir, `cdk.out-${this.assemblies.length + 1}`);
    const templates = synthesizeStage(stage, outdir, { appName: this.props.appName, apiBundleDir: options.apiBundleDir });
    const { result, publish } = this.apply(templates, outdir, Object.keys(templates), stage);
    publish();
    return { sameResource: result.sameResource, userDataUnchanged: result.userDataUnchanged };
  }

  /** The stage's templates as `cdk synth -c stage=<stage>` makes them now (synthesized once per stage). */
  public synthesize(stage: string): { templates: Record<string, Template>; outdir: string } {
    let synthesized = this.synthesized.get(stage);
    if (!synthesized) {
      const outdir = join(this.props.dir, `cdk.out-${stage}`);
      synthesized = { templates: synthesizeStage(stage, outdir, { appName: this.props.appName, apiBundleDir: this.props.apiBundleDir }), outdir };
      this.synthesized.set(stage, synthesized);
    }
    return synthesized;
  }

  /**
   * `cdk deploy <stacks> -c stage=<stage>` (every stack when none are named): the stage's
   * templates replace the deployed ones of those stacks, stand-ins start for what they newly
   * create (the database, the bucket), a changed App stack reaches the instance through cfn-hup,
   * and a replaced API resource is launched anew (see the class comment).
   */
  public async deploy(options: { readonly stage: string; readonly stacks?: readonly string[]; readonly confirm?: string }): Promise<DeployResult> {
    const { templates, outdir } = this.synthesize(options.stage);
    const stacks = options.stacks ?? Object.keys(templates);
    const missing = stacks.filter((stack) => !templates[stack]);
    if (missing.length) throw new Error(`stage ${options.stage} has no stack ${missing.join(', ')} (it has ${Object.keys(templates).join(', ')})`);
    const before = { ...this.templates };
    const { result, publish } = this.apply(templates, outdir, stacks, options.stage, options.confirm);
    const databaseRestart = await this.applyDatabaseChanges(before);
    // What the new templates create exists before the instance hears of them (CloudFormation
    // creates the database before it updates the instance that depends on it).
    await this.refreshStandIns();
    if (result.sameResource) {
      publish();
      return { ...result, databaseRestart };
    }
    const previous = this.current;
    const next = this.createInstance(this.bootstrap);
    await this.rds?.admit(next.boot.network.instanceAddress);
    await next.boot.boot();
    // The resource's CreationPolicy: CloudFormation waits for the signal, and fails the deploy on a FAILURE.
    const signal = await waitFor(`the new instance's signal to CloudFormation`, 5 * 60_000, () => next.aws.signals().find((s) => s.resource === next.resource.logicalId));
    this.current = next;
    if (signal.status !== 'SUCCESS') throw new Error(`${next.resource.logicalId} signalled ${signal.status} (${signal.reason}): CloudFormation would roll the deploy back\n${this.diagnostics()}`);
    // The clean-up: the old resource goes; what its stack retains stays in the account.
    await this.terminate(previous);
    return { ...result, databaseRestart, replaced: { terminated: previous.instanceId, launched: next.instanceId } };
  }

  /** EC2 terminates the instance: a clean shutdown; volumes its template attached stay (their stack decides), detached. */
  private async terminate(instance: LaunchedInstance): Promise<void> {
    instance.terminated = true;
    await instance.boot.stop();
    for (const [volumeId, entry] of this.volumes) {
      if (entry.attachment?.instanceId !== instance.instanceId) continue;
      entry.attachment = undefined;
      if (entry.resource && !this.templates[entry.resource.stack].Resources?.[entry.resource.logicalId]) throw new Error(`${volumeId} left its stack without being retained`);
    }
    if (this.group?.bootedInstance.instanceId === instance.instanceId) this.group = undefined;
  }

  /**
   * What RDS does when a deploy changes the database: a new class on a Single-AZ instance, or
   * Multi-AZ turned off, restarts it (5-15 minutes on RDS, a few seconds here): sessions drop and
   * the API answers 503 until it is back. Turning Multi-AZ on builds a standby without a restart.
   */
  private async applyDatabaseChanges(before: Record<string, Template>): Promise<string | undefined> {
    if (!this.rds) return undefined;
    for (const [stack, template] of Object.entries(this.templates)) {
      for (const [logicalId, resource] of Object.entries<Template>(template.Resources ?? {})) {
        if (resource.Type !== 'AWS::RDS::DBInstance') continue;
        const old = before[stack]?.Resources?.[logicalId]?.Properties;
        const now = resource.Properties;
        if (!old) continue;
        const reasons: string[] = [];
        if (old.DBInstanceClass !== now.DBInstanceClass) reasons.push(`class ${old.DBInstanceClass} → ${now.DBInstanceClass}`);
        if (old.MultiAZ === true && now.MultiAZ !== true) reasons.push('Multi-AZ turned off');
        if (reasons.length === 0) continue;
        await this.rds.restart(DATABASE_RESTART_MS);
        return `${stack}/${logicalId}: ${reasons.join(', ')}: the database restarted (down ${DATABASE_RESTART_MS / 1000} s here)`;
      }
    }
    return undefined;
  }

  /**
   * The named stacks' new templates replace the deployed ones, one stack after the other in the
   * app's order (dependencies first), as `cdk deploy` runs CloudFormation: each stack's
   * Fn::GetStackOutput must find its output in the stacks as they are by then, and each stack's
   * clean-up meets the other stacks as they are by then.
   */
  private apply(
    templates: Record<string, Template>,
    outdir: string,
    stacks: readonly string[],
    stage: string,
    confirm?: string,
  ): { result: { sameResource: boolean; userDataUnchanged: boolean; leftBehind: LeftBehind[] }; publish: () => void } {
    const leftBehind: LeftBehind[] = [];
    for (const stack of Object.keys(templates).filter((name) => stacks.includes(name))) {
      // The stack's deploy guard runs first (everything else waits for it): a refusal fails this
      // stack's update before anything changes; the stacks deployed before it stay updated.
      const refusal = deployGuardRefusal(this.templates[stack], templates[stack], confirm);
      if (refusal) throw new Error(`${stack} failed: Received response status [FAILED] from custom resource. Message returned: ${refusal}`);
      // The stack policy in force (the last Monitoring deploy set it) governs this update.
      const denied = stackPolicyRefusal(stack, this.stackPolicies.get(stack), this.templates[stack], templates[stack]);
      if (denied) throw new Error(`${stack} failed: ${denied}; CloudFormation would roll the update back`);
      const next = { ...this.templates, [stack]: templates[stack] };
      for (const reference of stackOutputReferences(templates[stack])) {
        if (!next[reference.stack]?.Outputs?.[reference.output]) {
          throw new Error(
            `${stack} at stage ${stage} reads the output ${reference.output} of ${reference.stack}, which ${reference.stack} at stage ${this.stackStages[reference.stack]} does not have: CloudFormation would fail and roll back ${stack}`,
          );
        }
      }
      leftBehind.push(...this.failedDeletions(stack, next));
      for (const [logicalId, resource] of Object.entries<Template>(this.templates[stack]?.Resources ?? {})) {
        if (resource.DeletionPolicy === 'Retain' && !templates[stack].Resources?.[logicalId] && resource.Type !== 'AWS::EC2::Volume') {
          this.retained.push({ stack, logicalId, type: resource.Type, physicalId: this.cloudformation.ref(stack, logicalId) });
        }
      }
      const previous = new Set(Object.keys(this.templates[stack]?.Resources ?? {}));
      this.history[stack] ??= new Set();
      for (const logicalId of Object.keys(templates[stack].Resources ?? {})) {
        // Removed by an earlier deploy and now back: CloudFormation creates a new resource.
        if (!previous.has(logicalId) && this.history[stack].has(logicalId)) {
          this.generations[stack] ??= {};
          this.generations[stack][logicalId] = (this.generations[stack][logicalId] ?? 0) + 1;
        }
        this.history[stack].add(logicalId);
      }
      for (const [volumeId, entry] of this.volumes) {
        if (entry.resource?.stack !== stack || templates[stack].Resources?.[entry.resource.logicalId]) continue;
        if (this.templates[stack].Resources[entry.resource.logicalId]?.DeletionPolicy !== 'Retain') throw new Error(`${volumeId} would be deleted: the harness models retained volumes only`);
        entry.resource = undefined;
      }
      // This stack's StackPolicy resources (Monitoring's) set the named stacks' policies once its guard agreed.
      for (const [target, body] of stackPoliciesSet(this.templates[stack], templates[stack])) this.stackPolicies.set(target, body);
      this.templates[stack] = templates[stack];
      this.stackStages[stack] = stage;
      this.assemblyOf[stack] = outdir;
      this.cloudformation = new CloudFormationStandIn({ templates: this.templates, region: this.cloudformation.region, accountId: this.cloudformation.accountId, generations: this.generations });
    }
    this.leftBehind.push(...leftBehind);
    if (!this.assemblies.includes(outdir)) this.assemblies.push(outdir);
    this.aws.publishAssets(outdir);
    if (!stacks.includes(this.bootstrap.stack)) return { result: { sameResource: true, userDataUnchanged: true, leftBehind }, publish: () => undefined };
    const nextBootstrap = instanceBootstrap(this.cloudformation, this.bootstrap.stack);
    const sameResource = nextBootstrap.metadataResource === this.bootstrap.metadataResource;
    const result = { sameResource, userDataUnchanged: nextBootstrap.userData === this.bootstrap.userData, leftBehind };
    this.bootstrap = nextBootstrap;
    this.env = parseEnvFile(this.fileContent(API_PATHS.envFile));
    return { result, publish: () => this.aws.publishResource(nextBootstrap.stack, nextBootstrap.metadataResource, nextBootstrap.metadata, 'UPDATE_COMPLETE') };
  }

  /**
   * What the stack's clean-up cannot delete (it skips it, DELETE_FAILED, and the update completes),
   * `next` being every stack as it is once this one is updated: a load balancer with deletion
   * protection on, and a security group that a resource of another stack still uses (through the
   * stack output that names it) or a left-behind load balancer still has.
   */
  private failedDeletions(stack: string, next: Record<string, Template>): LeftBehind[] {
    const failed: LeftBehind[] = [];
    const old = this.templates[stack];
    for (const [logicalId, resource] of Object.entries<Template>(old?.Resources ?? {})) {
      if (next[stack].Resources?.[logicalId] || resource.DeletionPolicy === 'Retain') continue;
      const physicalId = this.cloudformation.ref(stack, logicalId);
      if (resource.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
        const attributes = (resource.Properties?.LoadBalancerAttributes ?? []) as Array<{ Key: string; Value: string }>;
        const protectedByTemplate = attributes.some((a) => a.Key === 'deletion_protection.enabled' && a.Value === 'true');
        if (protectedByTemplate && !this.deletionProtectionOff.has(physicalId)) {
          const groups = (this.resolveOrUndefined(stack, resource.Properties.SecurityGroups) as string[] | undefined) ?? [];
          failed.push({ stack, logicalId, type: resource.Type, physicalId, reason: `deletion protection is enabled (it keeps its security groups ${groups.join(', ')})`, uses: groups });
        }
      }
      if (resource.Type === 'AWS::EC2::SecurityGroup') {
        const outputs = Object.entries<Template>(old.Outputs ?? {}).filter(([, output]) => JSON.stringify(output.Value).includes(`"${logicalId}"`)).map(([name]) => name);
        const users = Object.entries(next)
          .filter(([other, template]) => other !== stack && stackOutputReferences(template).some((r) => r.stack === stack && outputs.includes(r.output)))
          .map(([user]) => user);
        users.push(...this.leftBehind.filter((left) => left.uses?.includes(physicalId)).map((left) => `${left.stack}/${left.logicalId} (left behind)`));
        if (users.length) failed.push({ stack, logicalId, type: resource.Type, physicalId, reason: `in use by ${users.join(', ')}` });
      }
    }
    return failed;
  }

  /** Every log group in the account: the deployed stacks' (managed) and those their stacks retained. */
  public logGroups(): Array<{ name: string; managed: boolean }> {
    const groups: Array<{ name: string; managed: boolean }> = [];
    for (const [stack, template] of Object.entries(this.templates)) {
      for (const [logicalId, resource] of Object.entries<Template>(template.Resources ?? {})) {
        if (resource.Type === 'AWS::Logs::LogGroup') groups.push({ name: this.cloudformation.ref(stack, logicalId), managed: true });
      }
    }
    for (const resource of this.retained) if (resource.type === 'AWS::Logs::LogGroup') groups.push({ name: resource.physicalId, managed: false });
    // CloudWatch Logs lists them in name order.
    return groups.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** A retained resource deleted by hand. */
  public deleteRetained(physicalId: string): void {
    const index = this.retained.findIndex((resource) => resource.physicalId === physicalId);
    if (index < 0) throw new Error(`${physicalId} is not a retained resource`);
    this.retained.splice(index, 1);
  }

  /** The API as the load balancer (or the internet) reaches it: the instance's address and the unit's port. */
  public apiUrl(path: string): string {
    return `http://${this.instance.network.instanceAddress}:${this.env.PORT}${path}`;
  }

  /** The API as CloudFront reaches it: the instance's address and port, with the origin secret header. */
  public get api(): ApiTarget {
    return { base: this.apiUrl(''), headers: this.originSecret ? { [ORIGIN_VERIFY_HEADER]: this.originSecret } : {} };
  }

  /** CloudFront in front of whatever serves the API, as users reach it across stage changes (see CloudFrontStandIn). */
  public async startEdge(): Promise<CloudFrontStandIn> {
    this.edge ??= await CloudFrontStandIn.start(() => this.originRoute());
    return this.edge;
  }

  /** `Fn::*` resolved in the stack's deployed template, or undefined when it cannot be (a missing output). */
  private resolveOrUndefined(stack: string, value: unknown): unknown {
    try {
      return this.cloudformation.resolve(stack, value);
    } catch {
      return undefined;
    }
  }

  /** Whether the Network stack's rules let `source` reach `groupId` on TCP `port`. */
  private admits(groupId: unknown, port: number, source: { readonly prefixList: true } | { readonly group: unknown }): boolean {
    const network = this.networkStack;
    for (const [logicalId, resource] of Object.entries<Template>(this.templates[network]?.Resources ?? {})) {
      const rules: Template[] =
        resource.Type === 'AWS::EC2::SecurityGroupIngress'
          ? [resource.Properties]
          : resource.Type === 'AWS::EC2::SecurityGroup'
            ? (resource.Properties.SecurityGroupIngress ?? []).map((rule: Template) => ({ ...rule, GroupId: { Ref: logicalId } }))
            : [];
      for (const rule of rules) {
        if (groupId === undefined || this.resolveOrUndefined(network, rule.GroupId) !== groupId) continue;
        if (!['tcp', '6', '-1'].includes(String(rule.IpProtocol))) continue;
        if (rule.IpProtocol !== '-1' && !(Number(rule.FromPort) <= port && port <= Number(rule.ToPort))) continue;
        // The app's only prefix list is CloudFront's origin-facing one (SecurityGroups/CloudFrontOrigins).
        if ('prefixList' in source && rule.SourcePrefixListId !== undefined) return true;
        if ('group' in source && rule.SourceSecurityGroupId !== undefined && this.resolveOrUndefined(network, rule.SourceSecurityGroupId) === source.group) return true;
      }
    }
    return false;
  }

  /**
   * Where CloudFront sends an API request now: to the API instance serving now (a deploy that
   * replaces it moves the origin once the new one has signalled, as the distribution's update
   * follows the new resources), if the Network stack's rules let the path through — CloudFront's
   * origin-facing servers to the single instance, the load balancer to the fleet — and, for the
   * fleet, while its group registers it with the load balancer.
   */
  private originRoute(): OriginRoute {
    const headers: Record<string, string> = this.originSecret ? { [ORIGIN_VERIFY_HEADER]: this.originSecret } : {};
    const port = Number(this.env.PORT);
    const current = this.current;
    if (current.terminated) return { status: 502, reason: 'the origin instance is terminated' };
    if (!this.group || this.group.bootedInstance.instanceId !== current.instanceId) {
      if (!this.admits(current.securityGroups[0], port, { prefixList: true })) {
        return { status: 504, reason: "the instance's security group does not admit CloudFront's origin-facing servers (graminsta-Network)" };
      }
      return { target: this.apiUrl(''), headers };
    }
    if (!this.group.registered) return { status: 503, reason: 'the load balancer has no registered target' };
    const app = this.appStack;
    const loadBalancer = Object.values<Template>(this.templates[app].Resources ?? {}).find((r) => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    const loadBalancerGroup = this.resolveOrUndefined(app, loadBalancer?.Properties.SecurityGroups?.[0]);
    if (loadBalancerGroup === undefined || !this.admits(current.securityGroups[0], port, { group: loadBalancerGroup })) {
      return { status: 504, reason: "the fleet's security group does not admit the load balancer (graminsta-Network)" };
    }
    return { target: this.apiUrl(''), headers, forwardedBy: VPC_ORIGIN_INTERFACE_ADDRESS };
  }

  /** The first signal the instance sent for its resource, waiting for it; on a FAILURE, the logs say why. */
  public async signal(timeoutMs = 240_000): Promise<Signal> {
    return waitFor(`the instance's signal to CloudFormation`, timeoutMs, () => this.aws.signals().find((s) => s.resource === this.bootstrap.metadataResource));
  }

  /** What to show when a boot goes wrong: user data output, cfn-init's log, the API's log and journal. */
  public diagnostics(): string {
    const tail = (text: string | undefined, lines: number) => (text ?? '(none)').trimEnd().split('\n').slice(-lines).join('\n');
    const section = (title: string, read: () => string) => {
      try {
        return `--- ${title}\n${read()}`;
      } catch (error) {
        return `--- ${title}: unavailable (${(error as Error).message.split('\n')[0]})`;
      }
    };
    return [
      section('/var/log/cloud-init-output.log (last 60 lines)', () => tail(this.instance.readFile('/var/log/cloud-init-output.log'), 60)),
      section('/var/log/cfn-init.log (last 40 lines)', () => tail(this.instance.readFile('/var/log/cfn-init.log'), 40)),
      section(`${API_PATHS.logFile} (last 30 lines)`, () => tail(this.instance.readFile(API_PATHS.logFile), 30)),
      section('journal (last 40 lines)', () => this.instance.journal(undefined, 40)),
      section('systemd-nspawn (last 10 lines)', () => tail(readFileSync(this.instance.nspawnLog, 'utf8'), 10)),
    ].join('\n');
  }

  public async destroy(): Promise<void> {
    await this.edge?.stop();
    for (const instance of this.instances.values()) await instance.boot.destroy();
    for (const entry of this.volumes.values()) entry.volume.detach();
    await Promise.all([this.rds?.stop(), this.secrets?.stop(), this.s3?.stop()]);
  }
}

