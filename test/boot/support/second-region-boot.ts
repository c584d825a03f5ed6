import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Token } from 'aws-cdk-lib';
import { migrate } from '../../../api/src/db/migrate';
import { ORIGIN_VERIFY_HEADER } from '../../../contracts/origin-verify';
import { parseRegionConfig, type RegionConfig } from '../../../contracts/region-config';
import { parseShardMap, type ShardMapSpec } from '../../../contracts/shard-map';
import { EXAMPLE_REGION_OPTIONS } from '../../../lib/app-options';
import { buildStageApp } from '../../../lib/build-app';
import { API_PATHS } from '../../../lib/constructs/compute';
import { startLocalSqs, type LocalSqs } from '../../api/support/sqs-server';
import { startLocalS3, type LocalS3 } from '../../support/local-s3';
import { SecretsManagerStandIn } from '../../support/secrets-manager-stand-in';
import { SsmStandIn } from '../../support/ssm-stand-in';
import type { ApiTarget } from './api-calls';
import { AwsStandInDir, type Signal } from './aws-stand-in-dir';
import { BootInstance, waitFor } from './boot-instance';
import { CloudFormationStandIn } from './cloudformation-stand-in';
import { ElastiCacheStandIn } from './elasticache-stand-in';
import { instanceBootstrap, type InstanceBootstrap } from './instance-template';
import { RdsStandIn } from './rds-stand-in';
import { parseEnvFile } from './stage-boot';

type Template = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface SecondRegionBootProps {
  /** A directory of its own (cloud assembly, AWS stand-ins, instance files). */
  readonly dir: string;
  /** The instance image: harness layer, then the cached root filesystem. */
  readonly imageLayers: readonly string[];
}

/** Variables of the env file that need nothing from AWS at boot. */
const LOCAL_VARIABLES = new Set([
  'PORT',
  'HOST',
  'LOG_LEVEL',
  'TRUST_PROXY',
  'UPLOAD_MODE',
  'MEDIA_BASE_URL',
  'AWS_REGION',
  'SHARD_MAP_VERSION',
  'SESSIONS_DATABASE_FALLBACK',
  'REDIS_CLUSTER',
  'QUEUE',
  'QUEUE_VISIBILITY_TIMEOUT_MS',
  'WORKER_JOB_TIMEOUT_MS',
  'WORKER_CONCURRENCY',
]);
/** Variables naming AWS resources the stand-ins below serve. */
const STAND_IN_VARIABLES = new Set([
  'DATABASE_SECRET_ARN',
  'DATABASE_CA_FILE',
  'DATABASE_REPLICA_HOSTS',
  'SHARD_MAP_PARAMETER',
  'REGION_CONFIG_PARAMETER',
  'REDIS_URL',
  'REDIS_AUTH_SECRET_ARN',
  'UPLOADS_BUCKET',
  'ORIGIN_VERIFY_SECRET_ARN',
  'WORK_QUEUE_URL',
]);
/** Where the instance finds the ElastiCache stand-in's CA (on AWS: Amazon's CA, in Node's own bundle). */
const EXTRA_CA_FILE = '/etc/pki/boot-harness/elasticache-ca.pem';
const STAND_IN_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

/** One database server of the shard map as the instance reaches it: a home primary (over the peering) or this region's replica of it. */
export interface ShardMapServer {
  readonly primary: string;
  readonly role: 'home primary' | 'replica';
  readonly hostname: string;
  readonly rds: RdsStandIn;
}

/**
 * Stage 10m's second-region fleet instance booted on this machine: the stage synthesized with
 * its two regions, each stack resolved in its own region, the second region's launch template
 * and its group's cfn-init metadata run as the home cases run theirs (see StageBoot), against
 * stand-ins for what its environment names:
 *
 * - the shard map and region configuration parameters (SSM, in the second region), with the
 *   values the second region's Data stack gives them;
 * - every server the shard map names: each home primary (the secret's `host`, in the home
 *   region, reached over the VPC peering) and this region's cross-region replica of it
 *   (`replicaHosts` or the primary's `host`, RDS's port 5432), each a real PostgreSQL server with TLS on an address of
 *   its own; the replica has its primary's credentials and refuses writes
 *   (default_transaction_read_only), and carries the schema, migrated from here first, since
 *   outside home the API migrates nothing. No streaming replication: what replicates is proved
 *   in test/api/regions/replicas.test.ts;
 * - the primaries' secrets, this region's Redis AUTH token and the origin secret (Secrets
 *   Manager: one endpoint answers every region's ARNs);
 * - Redis in cluster mode over TLS with the AUTH token (ElastiCacheStandIn), its CA added to
 *   Node's trust as Amazon's is built in;
 * - the second region's work queue (SQS) and the home uploads bucket (S3).
 *
 * Home's API is not there: the region configuration's home `apiUrl` does not resolve.
 */
export class SecondRegionBoot {
  public readonly home: string;
  public readonly region: string;
  public readonly appStack: string;
  public readonly bootstrap: InstanceBootstrap;
  /** The env file cfn-init writes, as variables. */
  public readonly env: Record<string, string>;
  public readonly instance: BootInstance;
  public readonly aws: AwsStandInDir;
  public readonly instanceId = `i-0${randomBytes(8).toString('hex').slice(0, 16)}`;
  public readonly servers: ShardMapServer[] = [];
  public readonly shardMap: ShardMapSpec;
  public readonly regionConfig: RegionConfig;
  public secrets?: SecretsManagerStandIn;
  public ssm?: SsmStandIn;
  public sqs?: LocalSqs;
  public s3?: LocalS3;
  public redis?: ElastiCacheStandIn;
  public readonly originSecret = randomBytes(36).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 48);
  private readonly vpcAddress: string;

  private constructor(
    private readonly props: SecondRegionBootProps,
    private readonly cloudformation: CloudFormationStandIn,
    private readonly templates: Record<string, Template>,
    outdir: string,
  ) {
    [this.home, this.region] = EXAMPLE_REGION_OPTIONS.regions.split(',');
    this.appStack = `graminsta-${this.region}-App`;
    this.bootstrap = instanceBootstrap(cloudformation, this.appStack);
    this.env = parseEnvFile(envFileOf(this.bootstrap));
    const unknown = Object.keys(this.env).filter((name) => !LOCAL_VARIABLES.has(name) && !STAND_IN_VARIABLES.has(name));
    if (unknown.length) throw new Error(`the boot test has no stand-in for ${unknown.join(', ')} (stage 10m, ${this.region})`);
    this.shardMap = parseShardMap(this.parameterValue('SHARD_MAP_PARAMETER'));
    this.regionConfig = parseRegionConfig(this.parameterValue('REGION_CONFIG_PARAMETER'));

    this.aws = new AwsStandInDir(join(props.dir, 'aws'), this.region, cloudformation.accountId);
    this.aws.publishAssets(outdir);
    this.aws.publishResource(this.appStack, this.bootstrap.metadataResource, this.bootstrap.metadata);
    this.aws.setInstance(this.instanceId, this.bootstrap.userData);
    this.instance = new BootInstance({ name: 'stage10m-second', dir: join(props.dir, 'instance'), imageLayers: props.imageLayers, awsStandIn: this.aws.dir });
    const hostname = `ip-${this.instance.network.instanceAddress.replace(/\./g, '-')}`;
    this.instance.writeRootFile('/etc/hostname', `${hostname}\n`);
    this.instance.writeRootFile('/etc/hosts', `127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n127.0.1.1 ${hostname}\n`);
    this.instance.writeRootFile('/etc/resolv.conf', `nameserver ${this.instance.network.hostAddress}\n`);
    this.vpcAddress = this.instance.network.hostAddress;
  }

  public static async prepare(props: SecondRegionBootProps): Promise<SecondRegionBoot> {
    mkdirSync(props.dir, { recursive: true });
    const outdir = join(props.dir, 'cdk.out');
    const { app, stacks } = buildStageApp({ stage: '10m', outdir, ...EXAMPLE_REGION_OPTIONS });
    const assembly = app.synth();
    const templates: Record<string, Template> = Object.fromEntries(stacks.map((s) => [s.stackName, assembly.getStackByName(s.stackName).template]));
    const stackRegions = Object.fromEntries(stacks.filter((s) => !Token.isUnresolved(s.region)).map((s) => [s.stackName, s.region]));
    const boot = new SecondRegionBoot(props, new CloudFormationStandIn({ templates, stackRegions }), templates, outdir);
    try {
      await boot.startStandIns();
    } catch (error) {
      await boot.destroy();
      throw error;
    }
    return boot;
  }

  /** The value CloudFormation gave the SSM parameter the variable names, in this region. */
  private parameterValue(variable: string): string {
    const name = this.env[variable];
    const parameter = this.findByRef('AWS::SSM::Parameter', name, this.region);
    return String(this.cloudformation.resolve(parameter.stack, parameter.resource.Properties.Value));
  }

  /**
   * The secret an ARN names: one of a stack in the ARN's region, or a home
   * secret replicated into that region (Secrets Manager gives the replica the
   * primary's ARN with the region swapped), which must list the region among
   * its `ReplicaRegions`.
   */
  private findSecret(arn: string): { stack: string; logicalId: string; resource: Template } {
    const region = arn.split(':')[3];
    if (region === this.home) return this.findByRef('AWS::SecretsManager::Secret', arn, this.home);
    const homeArn = arn.split(':').map((part, i) => (i === 3 ? this.home : part)).join(':');
    const secret = this.findByRef('AWS::SecretsManager::Secret', homeArn, this.home);
    const replicated = ((secret.resource.Properties.ReplicaRegions ?? []) as Array<{ Region: string }>).some((r) => r.Region === region);
    if (!replicated) throw new Error(`${arn} names ${secret.stack}/${secret.logicalId} in ${region}, but that secret is not replicated there (ReplicaRegions)`);
    return secret;
  }

  /** The resource of a stack in `region` whose `Ref` resolves to `value`. */
  private findByRef(type: string, value: string, region: string): { stack: string; logicalId: string; resource: Template } {
    for (const [stack, template] of Object.entries(this.templates)) {
      if (this.cloudformation.regionOf(stack) !== region) continue;
      for (const [logicalId, resource] of Object.entries<Template>(template.Resources ?? {})) {
        if (resource.Type === type && this.cloudformation.ref(stack, logicalId) === value) return { stack, logicalId, resource };
      }
    }
    throw new Error(`no ${type} in ${region} resolves to ${value}`);
  }

  private async startStandIns(): Promise<void> {
    const vpc = this.vpcAddress;
    const instanceAddress = this.instance.network.instanceAddress;
    const secrets = (this.secrets = await SecretsManagerStandIn.start({}, vpc));
    const hosts: string[] = [];

    // The shard map's servers: each primary's secret names the home primary; its host or replicaHosts this region's replica.
    let next = 0;
    const starts: Array<Promise<void>> = [];
    for (const primary of this.shardMap.primaries) {
      if (!primary.secretArn) throw new Error(`${primary.name} in the shard map has no secretArn: the boot test serves RDS primaries`);
      const attachment = this.secretAttachment(primary.secretArn);
      const password = randomBytes(15).toString('base64url');
      const start = async (role: ShardMapServer['role'], hostname: string, port: number) => {
        const listen = this.instance.network.addServiceAddress(next++);
        const rds = await RdsStandIn.start({
          dir: join(this.props.dir, 'rds', `${primary.name}-${role.replace(' ', '-')}`),
          hostname,
          listen,
          port,
          clientAddress: instanceAddress,
          username: attachment.username,
          password,
          databaseName: attachment.databaseName,
        });
        hosts.push(`${listen} ${hostname}`);
        this.servers.push({ primary: primary.name, role, hostname, rds });
      };
      starts.push(start('home primary', attachment.hostname, 5432));
      // The region's own server: in replicaHosts, or as the primary's `host` (contracts/shard-map.ts), or both.
      for (const replica of new Set([...(primary.host ? [primary.host] : []), ...primary.replicaHosts])) {
        const [hostname, port] = replica.split(':');
        starts.push(start('replica', hostname, Number(port ?? 5432)));
      }
      secrets.put(
        primary.secretArn,
        JSON.stringify({ username: attachment.username, password, engine: 'postgres', host: attachment.hostname, port: 5432, dbname: attachment.databaseName }),
      );
    }
    await Promise.all(starts);
    for (const host of (this.env.DATABASE_REPLICA_HOSTS ?? '').split(',').filter(Boolean)) {
      if (!this.servers.some((s) => s.role === 'replica' && s.hostname === host.split(':')[0])) throw new Error(`DATABASE_REPLICA_HOSTS names ${host}, which the shard map does not`);
    }
    // Home migrated its primaries; the replicas carry that schema. Outside home the API migrates nothing, so it is done here.
    for (const server of this.servers) {
      await migrate(server.rds.masterUrl(server.rds.databaseName ?? 'postgres'));
      if (server.role === 'replica') await server.rds.query('postgres', `ALTER DATABASE "${server.rds.databaseName}" SET default_transaction_read_only = on`);
    }
    const caBundle = this.servers.map((s) => s.rds.caPem).join('');
    const caSource = this.fileSource(this.env.DATABASE_CA_FILE);
    this.aws.putObject(caSource, Buffer.from(caBundle));

    // SSM: the two parameters as the second region's stacks create them.
    this.ssm = await SsmStandIn.start(
      {
        [this.region]: {
          [this.env.SHARD_MAP_PARAMETER]: this.parameterValue('SHARD_MAP_PARAMETER'),
          [this.env.REGION_CONFIG_PARAMETER]: this.parameterValue('REGION_CONFIG_PARAMETER'),
        },
      },
      vpc,
    );

    // ElastiCache: the configuration endpoint, TLS, the AUTH token from its secret.
    const redisUrl = new URL(this.env.REDIS_URL);
    if (redisUrl.protocol !== 'rediss:') throw new Error(`REDIS_URL ${this.env.REDIS_URL} is not TLS: ElastiCache here has in-transit encryption`);
    const authToken = randomBytes(48).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 64);
    this.findByRef('AWS::SecretsManager::Secret', this.env.REDIS_AUTH_SECRET_ARN, this.region);
    secrets.put(this.env.REDIS_AUTH_SECRET_ARN, JSON.stringify({ password: authToken }));
    const redisAddress = this.instance.network.addServiceAddress(next++);
    this.redis = await ElastiCacheStandIn.start({ dir: join(this.props.dir, 'elasticache'), hostname: redisUrl.hostname, listen: redisAddress, port: Number(redisUrl.port || 6379), authToken });
    hosts.push(`${redisAddress} ${redisUrl.hostname}`);
    this.instance.writeRootFile(EXTRA_CA_FILE, this.redis.caPem);

    // The origin secret (home's, replicated here), the work queue and the uploads bucket (this region's).
    this.findSecret(this.env.ORIGIN_VERIFY_SECRET_ARN);
    secrets.put(this.env.ORIGIN_VERIFY_SECRET_ARN, this.originSecret);
    this.sqs = await startLocalSqs({ listen: vpc, queueUrl: this.env.WORK_QUEUE_URL, maxReceiveCount: 5 });
    this.s3 = await startLocalS3({ buckets: [this.env.UPLOADS_BUCKET], address: vpc });

    this.instance.appendRootFile('/etc/hosts', `${hosts.join('\n')}\n`);
    const environment: Record<string, string> = {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_SSM: this.ssm.endpoint,
      AWS_ENDPOINT_URL_SQS: this.sqs.endpoint,
      AWS_ENDPOINT_URL_S3: this.s3.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      NODE_EXTRA_CA_CERTS: EXTRA_CA_FILE,
      ...STAND_IN_CREDENTIALS,
    };
    const dropIn = `[Service]\n${Object.entries(environment)
      .map(([k, v]) => `Environment=${k}=${v}`)
      .join('\n')}\n`;
    for (const unit of [API_PATHS.serviceName, API_PATHS.workerServiceName]) this.instance.writeRootFile(`/etc/systemd/system/${unit}.service.d/aws-stand-in.conf`, dropIn);
  }

  /** The home primary a credentials secret belongs to: its endpoint, master user and database, as the Data stack declares them. */
  private secretAttachment(secretArn: string): { hostname: string; username: string; databaseName: string } {
    const secret = this.findSecret(secretArn);
    const attachment = Object.values<Template>(this.templates[secret.stack].Resources).find(
      (r) => r.Type === 'AWS::SecretsManager::SecretTargetAttachment' && r.Properties.SecretId.Ref === secret.logicalId,
    );
    if (!attachment) throw new Error(`${secretArn} is attached to no database`);
    const databaseId = attachment.Properties.TargetId.Ref as string;
    const database = this.templates[secret.stack].Resources[databaseId];
    const { username } = JSON.parse(secret.resource.Properties.GenerateSecretString.SecretStringTemplate) as { username: string };
    return { hostname: this.cloudformation.getAtt(secret.stack, databaseId, 'Endpoint.Address'), username, databaseName: database.Properties.DBName };
  }

  /** The URL a config downloads a file from. */
  private fileSource(path: string): string {
    const init = this.bootstrap.metadata['AWS::CloudFormation::Init'] as Record<string, { files?: Record<string, { source?: string }> }>;
    const source = Object.values(init).map((c) => c?.files?.[path]?.source).find(Boolean);
    if (!source) throw new Error(`no config downloads ${path}`);
    return source;
  }

  /** The API as the load balancer reaches it: the instance's address and the unit's port. */
  public apiUrl(path: string): string {
    return `http://${this.instance.network.instanceAddress}:${this.env.PORT}${path}`;
  }

  /** The API as CloudFront reaches it, with the origin secret. */
  public get api(): ApiTarget {
    return { base: this.apiUrl(''), headers: { [ORIGIN_VERIFY_HEADER]: this.originSecret } };
  }

  /** The instance's signal to CloudFormation for the group, waiting for it. */
  public signal(timeoutMs: number): Promise<Signal> {
    return waitFor(`the instance's signal to CloudFormation`, timeoutMs, () => this.aws.signals().find((s) => s.resource === this.bootstrap.metadataResource));
  }

  /** What to show when the boot goes wrong: cfn-init's log, the API's and the worker's logs, the journal. */
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
      section('/var/log/cfn-init.log (last 40 lines)', () => tail(this.instance.readFile('/var/log/cfn-init.log'), 40)),
      section(`${API_PATHS.logFile} (last 30 lines)`, () => tail(this.instance.readFile(API_PATHS.logFile), 30)),
      section('/var/log/graminsta/worker.log (last 15 lines)', () => tail(this.instance.readFile('/var/log/graminsta/worker.log'), 15)),
      section('journal (last 30 lines)', () => this.instance.journal(undefined, 30)),
      section('systemd-nspawn (last 10 lines)', () => tail(readFileSync(this.instance.nspawnLog, 'utf8'), 10)),
    ].join('\n');
  }

  public async destroy(): Promise<void> {
    await this.instance.destroy();
    await Promise.all([...this.servers.map((s) => s.rds.stop()), this.secrets?.stop(), this.ssm?.stop(), this.sqs?.stop(), this.s3?.stop(), this.redis?.stop()]);
  }
}

function envFileOf(bootstrap: InstanceBootstrap): string {
  const init = bootstrap.metadata['AWS::CloudFormation::Init'] as Record<string, { files?: Record<string, { content?: unknown }> }>;
  const content = Object.values(init).map((c) => c?.files?.[API_PATHS.envFile]?.content).find((c) => typeof c === 'string');
  if (typeof content !== 'string') throw new Error(`no config writes ${API_PATHS.envFile}`);
  return content;
}

