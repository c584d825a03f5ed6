import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { diffStack } from '../../../tools/review/stack-diff';
import type { CfnTemplate } from '../../../tools/review/template';
import type { StageBoot } from '../../boot/support/stage-boot';
import { applyQuery, formatOutput } from './cli-query';

type Template = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Parsed options of one command: a value, a list of values, or true for a flag. */
type Options = Readonly<Record<string, string | readonly string[] | true | undefined>>;

interface CommandSpec {
  /** Options that take one value. */
  readonly values?: readonly string[];
  /** Options that take one or more values (`--volume-ids a b`). */
  readonly lists?: readonly string[];
  readonly flags?: readonly string[];
  readonly required?: readonly string[];
  /** How many positional arguments it takes (`aws s3 ls s3://…`). @default 0 */
  readonly positionals?: number;
  /** What it does here: a response (printed through --query and --output) or text printed as is. */
  readonly run: (options: Options, positionals: readonly string[]) => Promise<unknown> | unknown;
}

/** Printed as is, not through --query and --output (the `aws s3` commands print text). */
class Text {
  public constructor(public readonly text: string) {}
}

/** The error the AWS CLI prints (and exits 254 with) for a service error. */
function serviceError(operation: string, code: string, message: string): Error {
  return new Error(`An error occurred (${code}) when calling the ${operation} operation: ${message}`);
}

const GLOBAL_VALUES = ['query', 'output'];

/**
 * The AWS CLI as runbooks call it, played against the booted stage: each command is one a runbook
 * uses, does here what it does against AWS — on the deployed templates (resolved by the
 * CloudFormation stand-in), the instances and volumes the harness launched, the fleet's model and
 * the S3 stand-in — and checks its arguments as the service would (an unknown volume, an instance
 * in another zone, a group that does not exist). Options it does not know fail, as do commands
 * it was not taught; `--query` and `--output` work as the CLI's (cli-query.ts).
 */
export class AwsCliStandIn {
  /** Snapshots taken (`ec2 create-snapshot`, `rds create-db-snapshot`), what of. */
  public readonly snapshots: string[] = [];
  private readonly changeSets = new Map<string, { readonly stack: string; readonly before?: Template; readonly after: Template }>();
  private readonly commands: Readonly<Record<string, CommandSpec>>;

  public constructor(
    private readonly boot: StageBoot,
    /** Where it says what it does differently from AWS (a hot attach made by the harness). */
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.commands = {
      'ec2 create-snapshot': { values: ['volume-id', 'description'], required: ['volume-id'], run: (o) => this.createSnapshot(o) },
      'ec2 describe-volumes': { lists: ['volume-ids', 'filters'], run: (o) => this.describeVolumes(o) },
      'ec2 wait volume-available': { lists: ['volume-ids'], required: ['volume-ids'], run: (o) => this.waitVolume(o, 'available') },
      'ec2 wait volume-in-use': { lists: ['volume-ids'], required: ['volume-ids'], run: (o) => this.waitVolume(o, 'in-use') },
      'ec2 attach-volume': { values: ['volume-id', 'instance-id', 'device'], required: ['volume-id', 'instance-id', 'device'], run: (o) => this.attachVolume(o) },
      'ec2 detach-volume': { values: ['volume-id'], required: ['volume-id'], run: (o) => this.detachVolume(o) },
      'ec2 delete-volume': { values: ['volume-id'], required: ['volume-id'], run: (o) => this.deleteVolume(o) },
      'ec2 delete-security-group': { values: ['group-id'], required: ['group-id'], run: (o) => this.deleteSecurityGroup(o) },
      'rds create-db-snapshot': { values: ['db-instance-identifier', 'db-snapshot-identifier'], required: ['db-instance-identifier', 'db-snapshot-identifier'], run: (o) => this.createDbSnapshot(o) },
      'autoscaling describe-auto-scaling-groups': { lists: ['auto-scaling-group-names'], run: (o) => this.describeGroups(o) },
      'autoscaling set-instance-protection': {
        values: ['auto-scaling-group-name'],
        lists: ['instance-ids'],
        flags: ['protected-from-scale-in', 'no-protected-from-scale-in'],
        required: ['auto-scaling-group-name', 'instance-ids'],
        run: (o) => this.setInstanceProtection(o),
      },
      'autoscaling detach-traffic-sources': { values: ['auto-scaling-group-name'], lists: ['traffic-sources'], required: ['auto-scaling-group-name', 'traffic-sources'], run: (o) => this.detachTrafficSources(o) },
      'elbv2 describe-target-health': { values: ['target-group-arn'], required: ['target-group-arn'], run: (o) => this.describeTargetHealth(o) },
      'elbv2 describe-target-groups': { lists: ['target-group-arns'], required: ['target-group-arns'], run: (o) => this.describeTargetGroups(o) },
      'elbv2 describe-load-balancers': { lists: ['load-balancer-arns'], required: ['load-balancer-arns'], run: (o) => this.describeLoadBalancers(o) },
      'elbv2 modify-load-balancer-attributes': { values: ['load-balancer-arn'], lists: ['attributes'], required: ['load-balancer-arn', 'attributes'], run: (o) => this.modifyLoadBalancerAttributes(o) },
      'cloudformation describe-change-set': { values: ['stack-name', 'change-set-name'], required: ['stack-name', 'change-set-name'], run: (o) => this.describeChangeSet(o) },
      'secretsmanager get-secret-value': { values: ['secret-id'], required: ['secret-id'], run: (o) => this.getSecretValue(o) },
      's3 ls': { flags: ['recursive', 'summarize'], positionals: 1, run: (o, p) => this.listObjects(o, p[0]) },
      'logs describe-log-groups': { values: ['log-group-name-prefix'], run: (o) => this.describeLogGroups(o) },
      'logs delete-log-group': { values: ['log-group-name'], required: ['log-group-name'], run: (o) => this.deleteLogGroup(o) },
    };
  }

  /** The command's name and parsed options, or an error naming what the rehearsal does not know (nothing runs). */
  public parse(args: readonly string[]): { name: string; spec: CommandSpec; options: Options; positionals: string[] } {
    const name = args[0] === 'ec2' && args[1] === 'wait' ? args.slice(0, 3).join(' ') : args.slice(0, 2).join(' ');
    const spec = this.commands[name];
    if (!spec) throw new Error(`the rehearsal does not know \`aws ${name}\` (teach test/runbooks/support/aws-cli-stand-in.ts what it does)`);
    const options: Record<string, string | string[] | true> = {};
    const positionals: string[] = [];
    const rest = args.slice(name.split(' ').length);
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i];
      if (!arg.startsWith('--')) {
        positionals.push(arg);
        continue;
      }
      const [key, inline] = arg.slice(2).split(/=(.*)/s);
      if (spec.flags?.includes(key)) options[key] = true;
      else if (spec.values?.includes(key) || GLOBAL_VALUES.includes(key)) {
        const value = inline ?? rest[++i];
        if (value === undefined) throw new Error(`aws ${name}: --${key} needs a value`);
        options[key] = value;
      } else if (spec.lists?.includes(key)) {
        const values: string[] = inline !== undefined ? [inline] : [];
        while (i + 1 < rest.length && !rest[i + 1].startsWith('--')) values.push(rest[++i]);
        if (values.length === 0) throw new Error(`aws ${name}: --${key} needs a value`);
        options[key] = values;
      } else throw new Error(`aws ${name}: the rehearsal does not know the option --${key}`);
    }
    if (positionals.length > (spec.positionals ?? 0)) throw new Error(`aws ${name}: unexpected argument ${positionals[spec.positionals ?? 0]}`);
    const missing = (spec.required ?? []).filter((key) => options[key] === undefined);
    if (missing.length) throw new Error(`aws ${name}: missing ${missing.map((key) => `--${key}`).join(', ')}`);
    return { name, spec, options, positionals };
  }

  /** Runs `aws <args>` here and returns what it prints. */
  public async run(args: readonly string[]): Promise<string> {
    const { spec, options, positionals } = this.parse(args);
    const response = await spec.run(options, positionals);
    if (response instanceof Text) return response.text;
    if (response === undefined) return '';
    return formatOutput(applyQuery(response, one(options.query)), one(options.output));
  }

  /** `cdk deploy --method=prepare-change-set`: the change set CloudFormation would make, for describe-change-set. */
  public prepareChangeSet(stack: string, name: string, after: Template): void {
    this.changeSets.set(`${stack}/${name}`, { stack, before: this.boot.templates[stack], after });
  }

  private volume(operation: string, volumeId: string | undefined) {
    const entry = volumeId === undefined ? undefined : this.boot.volumes.get(volumeId);
    if (!entry) throw serviceError(operation, 'InvalidVolume.NotFound', `The volume '${volumeId}' does not exist.`);
    return entry;
  }

  private createSnapshot(o: Options): unknown {
    const volumeId = one(o['volume-id'])!;
    this.volume('CreateSnapshot', volumeId);
    this.snapshots.push(volumeId);
    return { SnapshotId: `snap-0${this.snapshots.length.toString().padStart(16, '0')}`, VolumeId: volumeId, State: 'pending', Description: one(o.description) };
  }

  private describeVolume(volumeId: string): Record<string, unknown> {
    const entry = this.boot.volumes.get(volumeId)!;
    return {
      VolumeId: volumeId,
      AvailabilityZone: entry.availabilityZone,
      State: entry.attachment ? 'in-use' : 'available',
      VolumeType: 'gp3',
      Attachments: entry.attachment ? [{ VolumeId: volumeId, InstanceId: entry.attachment.instanceId, Device: entry.attachment.device, State: 'attached' }] : [],
      Tags: [{ Key: 'aws:cloudformation:logical-id', Value: entry.logicalId }],
    };
  }

  private describeVolumes(o: Options): unknown {
    const ids = list(o['volume-ids']);
    for (const id of ids) this.volume('DescribeVolumes', id);
    let volumes = (ids.length ? ids : [...this.boot.volumes.keys()]).map((id) => this.describeVolume(id));
    for (const filter of list(o.filters)) {
      const match = /^Name=([^,]+),Values=(.+)$/.exec(filter);
      if (!match) throw new Error(`aws ec2 describe-volumes: the rehearsal reads --filters Name=<name>,Values=<value>, not ${filter}`);
      const [, name, value] = match;
      const values = value.split(',');
      const field = (volume: Record<string, unknown>): unknown => {
        if (name === 'status') return volume.State;
        if (name === 'availability-zone') return volume.AvailabilityZone;
        if (name.startsWith('tag:')) return (volume.Tags as Array<{ Key: string; Value: string }>).find((t) => t.Key === name.slice(4))?.Value;
        throw new Error(`aws ec2 describe-volumes: the rehearsal does not filter on ${name}`);
      };
      volumes = volumes.filter((volume) => values.includes(String(field(volume))));
    }
    return { Volumes: volumes };
  }

  /** A waiter polls until the state holds; here states change at once, so it holds now or the waiter would time out. */
  private waitVolume(o: Options, state: 'available' | 'in-use'): undefined {
    for (const id of list(o['volume-ids'])) {
      this.volume('DescribeVolumes', id);
      const described = this.describeVolume(id);
      if (described.State !== state) throw new Error(`Waiter Volume${state === 'available' ? 'Available' : 'InUse'} failed: ${id} is ${described.State}${state === 'available' ? ` (attached to ${this.boot.volumes.get(id)!.attachment!.instanceId})` : ''}`);
    }
    return undefined;
  }

  /** The running instance the harness launched, or the error EC2 (or the rehearsal) gives. */
  private runningInstance(operation: string, instanceId: string) {
    const launched = this.boot.instances.get(instanceId);
    if (!launched) {
      const grouped = this.boot.group?.instances.find((i) => i.instanceId === instanceId);
      if (grouped) throw new Error(`${instanceId} (${grouped.availabilityZone}) is an instance of ${this.boot.group!.name} the rehearsal does not boot: it boots ${this.boot.group!.bootedInstance.instanceId} (${this.boot.group!.bootedInstance.availabilityZone}) only`);
      throw serviceError(operation, 'InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
    }
    if (launched.terminated) throw serviceError(operation, 'IncorrectState', `The instance '${instanceId}' is not 'running'.`);
    return launched;
  }

  private attachVolume(o: Options): unknown {
    const [volumeId, instanceId, device] = [one(o['volume-id'])!, one(o['instance-id'])!, one(o.device)!];
    const entry = this.volume('AttachVolume', volumeId);
    // EC2 checks the zone of any instance, booted here or not.
    const zone = this.boot.instances.get(instanceId)?.availabilityZone ?? this.boot.group?.instances.find((i) => i.instanceId === instanceId)?.availabilityZone;
    if (zone !== undefined && zone !== entry.availabilityZone) {
      throw serviceError('AttachVolume', 'InvalidVolume.ZoneMismatch', `The volume '${volumeId}' is not in the same availability zone as instance '${instanceId}'`);
    }
    const instance = this.runningInstance('AttachVolume', instanceId);
    if (entry.attachment) throw serviceError('AttachVolume', 'VolumeInUse', `${volumeId} is already attached to an instance`);
    if (entry.availabilityZone !== instance.availabilityZone) {
      throw serviceError('AttachVolume', 'InvalidVolume.ZoneMismatch', `The volume '${volumeId}' is not in the same availability zone as instance '${instanceId}'`);
    }
    if (!/^\/dev\/sd[f-p]$/.test(device)) throw serviceError('AttachVolume', 'InvalidParameterValue', `Invalid value '${device}' for unixDevice. (the rehearsal expects /dev/sdf-/dev/sdp)`);
    const taken = [...this.boot.volumes.values()].find((v) => v.attachment?.instanceId === instanceId && v.attachment.device === device);
    if (taken) throw serviceError('AttachVolume', 'InvalidParameterValue', `Invalid value '${device}' for unixDevice. Attachment point ${device} is already in use`);
    this.log(`  (EC2) ${volumeId} on ${instanceId}: ${instance.boot.attachVolume(entry.volume, device)}`);
    entry.attachment = { instanceId, device };
    return { AttachTime: new Date().toISOString(), Device: device, InstanceId: instanceId, State: 'attaching', VolumeId: volumeId };
  }

  private detachVolume(o: Options): unknown {
    const volumeId = one(o['volume-id'])!;
    const entry = this.volume('DetachVolume', volumeId);
    if (!entry.attachment) throw serviceError('DetachVolume', 'IncorrectState', `Volume '${volumeId}' is in the 'available' state.`);
    const instance = this.boot.instances.get(entry.attachment.instanceId)!;
    if (instance.dataVolume === entry.volume) throw new Error(`${volumeId} is the data volume ${instance.instanceId}'s template attaches: the runbook must not detach it`);
    instance.boot.detachVolume(entry.volume);
    const detached = { AttachTime: new Date().toISOString(), Device: entry.attachment.device, InstanceId: entry.attachment.instanceId, State: 'detaching', VolumeId: volumeId };
    entry.attachment = undefined;
    return detached;
  }

  private deleteVolume(o: Options): undefined {
    const volumeId = one(o['volume-id'])!;
    const entry = this.volume('DeleteVolume', volumeId);
    if (entry.attachment) throw serviceError('DeleteVolume', 'VolumeInUse', `Volume ${volumeId} is currently attached to ${entry.attachment.instanceId}`);
    if (entry.resource) throw new Error(`${volumeId} is ${entry.resource.stack}/${entry.resource.logicalId}: deleting it by hand would break the stack`);
    entry.volume.detach();
    this.boot.volumes.delete(volumeId);
    return undefined;
  }

  private deleteSecurityGroup(o: Options): undefined {
    const groupId = one(o['group-id'])!;
    const index = this.boot.leftBehind.findIndex((left) => left.physicalId === groupId && left.type === 'AWS::EC2::SecurityGroup');
    if (index < 0) throw new Error(`${groupId} is not a security group a deploy left behind (left: ${this.boot.leftBehind.map((l) => l.physicalId).join(', ') || 'none'}): deleting a managed one would break its stack`);
    const users = this.boot.leftBehind.filter((left) => left.uses?.includes(groupId));
    if (users.length) throw serviceError('DeleteSecurityGroup', 'DependencyViolation', `resource ${groupId} has a dependent object (${users.map((u) => u.physicalId).join(', ')})`);
    this.boot.leftBehind.splice(index, 1);
    return undefined;
  }

  private databaseResource(): { stack: string; logicalId: string } {
    for (const [stack, template] of Object.entries(this.boot.templates)) {
      for (const [logicalId, resource] of Object.entries<Template>(template.Resources ?? {})) if (resource.Type === 'AWS::RDS::DBInstance') return { stack, logicalId };
    }
    throw new Error('no deployed stack has an RDS instance');
  }

  private createDbSnapshot(o: Options): unknown {
    const { stack, logicalId } = this.databaseResource();
    const identifier = one(o['db-instance-identifier']);
    if (identifier !== this.boot.cloudformation.ref(stack, logicalId)) throw serviceError('CreateDBSnapshot', 'DBInstanceNotFound', `DBInstance ${identifier} not found.`);
    this.snapshots.push(identifier);
    return { DBSnapshot: { DBSnapshotIdentifier: one(o['db-snapshot-identifier']), DBInstanceIdentifier: identifier, Status: 'creating' } };
  }

  private group(operation: string, name: string | undefined) {
    const group = this.boot.group;
    if (!group || group.name !== name) throw serviceError(operation, 'ValidationError', `AutoScalingGroup name not found - ${name}`);
    return group;
  }

  private describeGroups(o: Options): unknown {
    const group = this.boot.group;
    const names = list(o['auto-scaling-group-names']);
    if (!group || (names.length && !names.includes(group.name))) return { AutoScalingGroups: [] };
    return {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: group.name,
          MinSize: group.props.minSize,
          DesiredCapacity: group.instances.length,
          AvailabilityZones: [...new Set(group.props.zones)],
          TargetGroupARNs: [...group.trafficSources],
          Instances: group.instances.map((instance) => ({
            InstanceId: instance.instanceId,
            AvailabilityZone: instance.availabilityZone,
            LifecycleState: 'InService',
            HealthStatus: 'Healthy',
            ProtectedFromScaleIn: group.protectedFromScaleIn.has(instance.instanceId),
          })),
        },
      ],
    };
  }

  private setInstanceProtection(o: Options): undefined {
    const group = this.group('SetInstanceProtection', one(o['auto-scaling-group-name']));
    if (o['protected-from-scale-in'] === o['no-protected-from-scale-in']) throw new Error('aws autoscaling set-instance-protection needs exactly one of --protected-from-scale-in and --no-protected-from-scale-in');
    for (const id of list(o['instance-ids'])) {
      group.instance(id);
      if (o['protected-from-scale-in']) group.protectedFromScaleIn.add(id);
      else group.protectedFromScaleIn.delete(id);
    }
    return undefined;
  }

  private detachTrafficSources(o: Options): undefined {
    const group = this.group('DetachTrafficSources', one(o['auto-scaling-group-name']));
    for (const source of list(o['traffic-sources'])) {
      const identifier = /^Identifier=([^,]+)(,Type=elbv2)?$/.exec(source)?.[1];
      if (!identifier || !group.trafficSources.has(identifier)) throw serviceError('DetachTrafficSources', 'ValidationError', `Trying to remove Traffic Sources that are not attached: ${source}`);
      group.trafficSources.delete(identifier);
    }
    return undefined;
  }

  private targetGroup(operation: string, arn: string | undefined): { stack: string; logicalId: string } {
    for (const [stack, template] of Object.entries(this.boot.templates)) {
      for (const [logicalId, resource] of Object.entries<Template>(template.Resources ?? {})) {
        if (resource.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup' && this.boot.cloudformation.ref(stack, logicalId) === arn) return { stack, logicalId };
      }
    }
    throw serviceError(operation, 'TargetGroupNotFound', `Target groups '${arn}' not found`);
  }

  /**
   * Each registered instance's health from the booted instance's /healthz (the load balancer's
   * check); the group's other instances, not booted, are reported as it is. Deregistration is
   * immediate here (the group's deregistration delay is not waited for).
   */
  private async describeTargetHealth(o: Options): Promise<unknown> {
    this.targetGroup('DescribeTargetHealth', one(o['target-group-arn']));
    const group = this.boot.group;
    if (!group?.registered) return { TargetHealthDescriptions: [] };
    const answer = await fetch(this.boot.apiUrl('/healthz'), { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    const state = answer?.status === 200 ? 'healthy' : 'unhealthy';
    return {
      TargetHealthDescriptions: group.instances.map((instance) => ({
        Target: { Id: instance.instanceId, Port: Number(this.boot.env.PORT) },
        HealthCheckPort: this.boot.env.PORT,
        TargetHealth: { State: state },
      })),
    };
  }

  private loadBalancer(): { stack: string; logicalId: string; arn: string; resource: Template } {
    for (const [stack, template] of Object.entries(this.boot.templates)) {
      for (const [logicalId, resource] of Object.entries<Template>(template.Resources ?? {})) {
        if (resource.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') return { stack, logicalId, arn: this.boot.cloudformation.ref(stack, logicalId), resource };
      }
    }
    throw serviceError('DescribeLoadBalancers', 'LoadBalancerNotFound', 'no load balancer is deployed');
  }

  private describeTargetGroups(o: Options): unknown {
    return {
      TargetGroups: list(o['target-group-arns']).map((arn) => {
        this.targetGroup('DescribeTargetGroups', arn);
        return { TargetGroupArn: arn, LoadBalancerArns: [this.loadBalancer().arn] };
      }),
    };
  }

  private describeLoadBalancers(o: Options): unknown {
    const loadBalancer = this.loadBalancer();
    return {
      LoadBalancers: list(o['load-balancer-arns']).map((arn) => {
        if (arn !== loadBalancer.arn) throw serviceError('DescribeLoadBalancers', 'LoadBalancerNotFound', `One or more load balancers not found: ${arn}`);
        return {
          LoadBalancerArn: arn,
          Scheme: loadBalancer.resource.Properties.Scheme,
          SecurityGroups: this.boot.cloudformation.resolve(loadBalancer.stack, loadBalancer.resource.Properties.SecurityGroups),
        };
      }),
    };
  }

  private modifyLoadBalancerAttributes(o: Options): unknown {
    const arn = one(o['load-balancer-arn']);
    if (arn !== this.loadBalancer().arn) throw serviceError('ModifyLoadBalancerAttributes', 'LoadBalancerNotFound', `One or more load balancers not found: ${arn}`);
    const attributes = list(o.attributes).map((attribute) => {
      const match = /^Key=([^,]+),Value=(.+)$/.exec(attribute);
      if (!match || match[1] !== 'deletion_protection.enabled' || !['true', 'false'].includes(match[2])) {
        throw new Error(`aws elbv2 modify-load-balancer-attributes: the rehearsal models Key=deletion_protection.enabled,Value=true|false only, not ${attribute}`);
      }
      if (match[2] === 'false') this.boot.deletionProtectionOff.add(arn!);
      else this.boot.deletionProtectionOff.delete(arn!);
      return { Key: match[1], Value: match[2] };
    });
    return { Attributes: attributes };
  }

  /** The change set as `@aws-cdk/cloudformation-diff` sees it (the review's view): "Conditional" for a property the resource specification says may replace. */
  private describeChangeSet(o: Options): unknown {
    const [stack, name] = [one(o['stack-name'])!, one(o['change-set-name'])!];
    const changeSet = this.changeSets.get(`${stack}/${name}`);
    if (!changeSet) throw serviceError('DescribeChangeSet', 'ChangeSetNotFound', `ChangeSet [${name}] does not exist`);
    const changes = diffStack(stack, changeSet.before as CfnTemplate | undefined, changeSet.after as CfnTemplate).changes;
    const action = { add: 'Add', update: 'Modify', replace: 'Modify', 'may-replace': 'Modify', destroy: 'Remove', orphan: 'Remove' } as const;
    const replacement = { update: 'False', replace: 'True', 'may-replace': 'Conditional' } as Record<string, string | undefined>;
    return {
      ChangeSetName: name,
      StackName: stack,
      Status: 'CREATE_COMPLETE',
      ExecutionStatus: 'AVAILABLE',
      Changes: changes.map((change) => ({
        Type: 'Resource',
        ResourceChange: { Action: action[change.impact], LogicalResourceId: change.logicalId, ResourceType: change.type, ...(replacement[change.impact] ? { Replacement: replacement[change.impact] } : {}) },
      })),
    };
  }

  private getSecretValue(o: Options): unknown {
    return { SecretString: this.boot.secrets!.current(one(o['secret-id'])!) };
  }

  /** `aws s3 ls s3://bucket/prefix`: the objects' dates, sizes and keys (with --recursive; else one level), and totals with --summarize. */
  private async listObjects(o: Options, url: string | undefined): Promise<Text> {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url ?? '');
    if (!match) throw new Error(`aws s3 ls: the rehearsal lists s3://<bucket>/<prefix>, not ${url}`);
    const [, bucket, prefix] = match;
    const s3 = this.boot.s3;
    if (!s3 || s3.bucket !== bucket) throw serviceError('ListObjectsV2', 'NoSuchBucket', 'The specified bucket does not exist');
    const client = new S3Client({ region: this.boot.cloudformation.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const lines: string[] = [];
    let count = 0;
    let size = 0;
    try {
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, Delimiter: o.recursive ? undefined : '/' }));
        for (const common of page.CommonPrefixes ?? []) lines.push(`                           PRE ${common.Prefix!.slice(prefix.length)}`);
        for (const object of page.Contents ?? []) {
          count++;
          size += object.Size ?? 0;
          const when = (object.LastModified ?? new Date()).toISOString().replace('T', ' ').slice(0, 19);
          lines.push(`${when} ${String(object.Size ?? 0).padStart(10)} ${o.recursive ? object.Key : object.Key!.slice(prefix.length)}`);
        }
        token = page.NextContinuationToken;
      } while (token);
    } finally {
      client.destroy();
    }
    if (o.summarize) lines.push('', `Total Objects: ${count}`, `   Total Size: ${size}`);
    return new Text(lines.length ? `${lines.join('\n')}\n` : '');
  }

  private describeLogGroups(o: Options): unknown {
    const prefix = one(o['log-group-name-prefix']) ?? '';
    return { logGroups: this.boot.logGroups().filter((group) => group.name.startsWith(prefix)).map((group) => ({ logGroupName: group.name })) };
  }

  private deleteLogGroup(o: Options): undefined {
    const name = one(o['log-group-name'])!;
    const group = this.boot.logGroups().find((g) => g.name === name);
    if (!group) throw serviceError('DeleteLogGroup', 'ResourceNotFoundException', 'The specified log group does not exist.');
    if (group.managed) throw new Error(`${name} belongs to a deployed stack: deleting it by hand would break the stack`);
    this.boot.deleteRetained(name);
    return undefined;
  }
}

function one(value: string | readonly string[] | true | undefined): string | undefined {
  if (value === undefined || value === true) return undefined;
  return typeof value === 'string' ? value : value[0];
}

function list(value: string | readonly string[] | true | undefined): readonly string[] {
  if (value === undefined || value === true) return [];
  return typeof value === 'string' ? [value] : value;
}
