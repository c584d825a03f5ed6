import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStageApp } from '../../../lib/build-app';
import { ORIGIN_VERIFY_HEADER } from '../../../contracts/origin-verify';
import { API_PATHS } from '../../../lib/constructs/api-delivery/api-environment';
import type { ApiTarget } from './api-calls';
import { startS3, type TestS3 } from '../../api/support/s3';
import { AttachedVolume } from './attached-volume';
import { AwsStandInDir, type Signal } from './aws-stand-in-dir';
import { BootInstance, waitFor } from './boot-instance';
import { CloudFormationStandIn } from './cloudformation-stand-in';
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

/** The S3 credentials the stand-in (s3rver) accepts; Secrets Manager's stand-in ignores them. */
const STAND_IN_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

/** Variables of the API's env file that need nothing from AWS at boot. */
const LOCAL_VARIABLES = new Set(['PORT', 'HOST', 'LOG_LEVEL', 'DATA_DIR', 'WEB_ROOT', 'DATABASE_URL', 'TRUST_PROXY', 'UPLOAD_MODE', 'MEDIA_BASE_URL', 'AWS_REGION']);
/** Variables naming AWS resources the stand-ins below serve. */
const STAND_IN_VARIABLES = ['DATABASE_SECRET_ARN', 'DATABASE_CA_FILE', 'UPLOADS_BUCKET', 'ORIGIN_VERIFY_SECRET_ARN'];

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

/**
 * One stage's API instance booted on this machine from the stage's synthesized templates:
 * CloudFormation's part played by the resolver, AWS's services by stand-ins on the instance's
 * network, chosen from what the instance's configuration names (the database secret, the RDS
 * certificate bundle, the uploads bucket).
 */
export class StageBoot {
  public readonly instance: BootInstance;
  public readonly aws: AwsStandInDir;
  public readonly volume?: AttachedVolume;
  public rds?: RdsStandIn;
  /** The origin secret CloudFront would add to every request (x-origin-verify). */
  public originSecret?: string;
  private readonly assemblies: string[];
  public secrets?: SecretsManagerStandIn;
  /** The database's credentials secret, once a deployed template creates the database. */
  public databaseSecretArn?: string;
  /** What the SDK on the instance is pointed at (endpoints and credentials of the stand-ins). */
  public awsEnvironment: Record<string, string> = {};
  public s3?: TestS3;
  public env: Record<string, string>;
  public bootstrap: InstanceBootstrap;

  /** The stage each stack was last deployed at. */
  public readonly stackStages: Record<string, string>;

  private constructor(
    private readonly props: StageBootProps,
    public cloudformation: CloudFormationStandIn,
    /** The deployed templates, by stack name (a partial deploy replaces some). */
    public readonly templates: Record<string, Template>,
  ) {
    this.stackStages = Object.fromEntries(Object.keys(templates).map((stack) => [stack, props.stage]));
    const appStack = `${props.appName ?? 'graminsta'}-App`;
    this.assemblies = [join(props.dir, 'cdk.out')];
    this.bootstrap = instanceBootstrap(cloudformation, appStack);
    this.env = parseEnvFile(this.fileContent(API_PATHS.envFile));
    this.aws = new AwsStandInDir(join(props.dir, 'aws'), cloudformation.region, cloudformation.accountId);
    this.aws.publishAssets(join(props.dir, 'cdk.out'));
    this.aws.publishResource(this.bootstrap.stack, this.bootstrap.metadataResource, this.bootstrap.metadata);
    // The single instance's ID is its Ref; a fleet instance gets one of its own.
    const instanceId = this.bootstrap.resourceType === 'AWS::EC2::Instance' ? cloudformation.ref(appStack, this.bootstrap.metadataResource) : `i-0${props.stage.padStart(16, '0')}`;
    this.aws.setInstance(instanceId, this.bootstrap.userData);
    const volumeId = this.attachedVolumeId();
    if (volumeId) this.volume = AttachedVolume.create(join(props.dir, 'volume'), volumeId);
    this.instance = new BootInstance({
      name: `stage${props.stage}`,
      dir: join(props.dir, 'instance'),
      imageLayers: props.imageLayers,
      awsStandIn: this.aws.dir,
      volume: this.volume,
    });
    // What EC2 and cloud-init give an instance: a hostname that resolves locally, and the VPC's
    // DNS resolver, which here is the host side of the link (nothing answers there, so a lookup of
    // a public name fails at once instead of timing out).
    const hostname = `ip-${this.instance.network.instanceAddress.replace(/\./g, '-')}`;
    this.instance.writeRootFile('/etc/hostname', `${hostname}\n`);
    this.instance.writeRootFile('/etc/hosts', `127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n127.0.1.1 ${hostname}\n`);
    this.instance.writeRootFile('/etc/resolv.conf', `nameserver ${this.instance.network.hostAddress}\n`);
  }

  public static async prepare(props: StageBootProps): Promise<StageBoot> {
    mkdirSync(props.dir, { recursive: true });
    const templates = synthesizeStage(props.stage, join(props.dir, 'cdk.out'), props);
    const boot = new StageBoot(props, new CloudFormationStandIn({ templates }), templates);
    try {
      await boot.startStandIns();
    } catch (error) {
      await boot.destroy();
      throw error;
    }
    return boot;
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
  private attachedVolumeId(): string | undefined {
    if (this.bootstrap.resourceType !== 'AWS::EC2::Instance') return undefined;
    const volumes = this.cloudformation.template(this.bootstrap.stack).Resources[this.bootstrap.metadataResource].Properties?.Volumes as unknown[] | undefined;
    if (!volumes?.length) return undefined;
    return (this.cloudformation.resolve(this.bootstrap.stack, volumes) as Array<{ VolumeId: string }>)[0].VolumeId;
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

  private async startStandIns(): Promise<void> {
    const network = this.instance.network;
    this.secrets = await SecretsManagerStandIn.start({}, network.hostAddress);
    // The one secret CloudFront would add to every request (x-origin-verify) is generated once.
    this.originSecret = randomBytes(36).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 48);
    await this.refreshStandIns();
  }

  /**
   * Starts the stand-ins the deployed templates now call for (the first time a stack
   * creates the database, say) and gives the instance what it needs to reach them.
   */
  private async refreshStandIns(): Promise<void> {
    const network = this.instance.network;
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

    const caFile = this.env.DATABASE_CA_FILE;
    if (caFile) {
      if (!this.rds) throw new Error('DATABASE_CA_FILE without a database secret');
      const init = this.bootstrap.metadata['AWS::CloudFormation::Init'] as Record<string, { files?: Record<string, { source?: string }> }>;
      const source = Object.values(init).map((c) => c?.files?.[caFile]?.source).find(Boolean);
      if (!source) throw new Error(`no config downloads ${caFile}`);
      this.aws.putObject(source, Buffer.from(this.rds.caPem));
    }

    const bucket = this.env.UPLOADS_BUCKET;
    if (bucket) {
      this.s3 ??= await startS3(bucket, network.hostAddress);
      endpoints.AWS_ENDPOINT_URL_S3 = this.s3.endpoint;
      // s3rver stores the aws-chunked framing of uploads that carry checksum trailers (real S3 decodes it).
      endpoints.AWS_REQUEST_CHECKSUM_CALCULATION = 'WHEN_REQUIRED';
    }

    // On EC2 the SDK finds the instance role's credentials through IMDS and AWS's endpoints through
    // DNS, for any process and user; here a drop-in next to the unit cfn-init installs points the
    // services at the stand-ins, and sudo keeps the same variables for an operator's commands.
    this.awsEnvironment = { ...endpoints, ...STAND_IN_CREDENTIALS };
    const dropIn = `[Service]\n${Object.entries(this.awsEnvironment)
      .map(([k, v]) => `Environment=${k}=${v}`)
      .join('\n')}\n`;
    for (const unit of [API_PATHS.serviceName, API_PATHS.workerServiceName]) this.instance.writeRootFile(`/etc/systemd/system/${unit}.service.d/aws-stand-in.conf`, dropIn);
    this.instance.writeRootFile('/etc/sudoers.d/aws-stand-in', `Defaults env_keep += "${Object.keys(this.awsEnvironment).join(' ')}"\n`);
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
        listen: network.hostAddress,
        clientAddress: network.instanceAddress,
        username: secretTemplate.username,
        databaseName: database.Properties.DBName,
      });
      this.instance.appendRootFile('/etc/hosts', `${network.hostAddress} ${hostname}\n`);
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
   * cfn-hup watches). Says whether the instance stays the same resource with the same user data
   * (otherwise CloudFormation would replace it, which this does not model).
   */
  public deployUpdate(options: { readonly apiBundleDir?: string }): { sameResource: boolean; userDataUnchanged: boolean } {
    const stage = this.stackStages[this.bootstrap.stack];
    const outdir = join(this.props.dir, `cdk.out-${this.assemblies.length + 1}`);
    const templates = synthesizeStage(stage, outdir, { appName: this.props.appName, apiBundleDir: options.apiBundleDir });
    const { result, publish } = this.apply(templates, outdir, Object.keys(templates), stage);
    publish();
    return result;
  }

  /**
   * `cdk deploy <stacks> -c stage=<stage>` (every stack when none are named): the stage's
   * templates replace the deployed ones of those stacks, stand-ins start for what they newly
   * create (the database), and a changed App stack reaches the instance through cfn-hup.
   */
  public async deploy(options: { readonly stage: string; readonly stacks?: readonly string[] }): Promise<{ sameResource: boolean; userDataUnchanged: boolean }> {
    const outdir = join(this.props.dir, `cdk.out-${this.assemblies.length + 1}`);
    const templates = synthesizeStage(options.stage, outdir, { appName: this.props.appName, apiBundleDir: this.props.apiBundleDir });
    const stacks = options.stacks ?? Object.keys(templates);
    const missing = stacks.filter((stack) => !templates[stack]);
    if (missing.length) throw new Error(`stage ${options.stage} has no stack ${missing.join(', ')} (it has ${Object.keys(templates).join(', ')})`);
    const { result, publish } = this.apply(templates, outdir, stacks, options.stage);
    // What the new templates create exists before the instance hears of them (CloudFormation
    // creates the database before it updates the instance that depends on it).
    await this.refreshStandIns();
    publish();
    return result;
  }

  private apply(
    templates: Record<string, Template>,
    outdir: string,
    stacks: readonly string[],
    stage: string,
  ): { result: { sameResource: boolean; userDataUnchanged: boolean }; publish: () => void } {
    for (const stack of stacks) {
      this.templates[stack] = templates[stack];
      this.stackStages[stack] = stage;
    }
    this.cloudformation = new CloudFormationStandIn({ templates: this.templates, region: this.cloudformation.region, accountId: this.cloudformation.accountId });
    this.assemblies.push(outdir);
    this.aws.publishAssets(outdir);
    if (!stacks.includes(this.bootstrap.stack)) return { result: { sameResource: true, userDataUnchanged: true }, publish: () => undefined };
    const next = instanceBootstrap(this.cloudformation, this.bootstrap.stack);
    const result = { sameResource: next.metadataResource === this.bootstrap.metadataResource, userDataUnchanged: next.userData === this.bootstrap.userData };
    this.bootstrap = next;
    this.env = parseEnvFile(this.fileContent(API_PATHS.envFile));
    return { result, publish: () => this.aws.publishResource(next.stack, next.metadataResource, next.metadata, 'UPDATE_COMPLETE') };
  }

  /** The API as the load balancer (or the internet) reaches it: the instance's address and the unit's port. */
  public apiUrl(path: string): string {
    return `http://${this.instance.network.instanceAddress}:${this.env.PORT}${path}`;
  }

  /** The API as CloudFront reaches it: the instance's address and port, with the origin secret header. */
  public get api(): ApiTarget {
    return { base: this.apiUrl(''), headers: this.originSecret ? { [ORIGIN_VERIFY_HEADER]: this.originSecret } : {} };
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
    await this.instance.destroy();
    this.volume?.detach();
    await Promise.all([this.rds?.stop(), this.secrets?.stop(), this.s3?.stop()]);
  }
}
