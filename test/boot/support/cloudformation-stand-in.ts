import { createHash } from 'node:crypto';

/** A CloudFormation template as JSON. */
type Template = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Values of one resource that a scenario pins (a stand-in server's address, say) instead of the generated ones. */
export interface ResourceValues {
  readonly ref?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface CloudFormationStandInProps {
  /** Every stack of the app, by stack name, as synthesized. */
  readonly templates: Readonly<Record<string, Template>>;
  /** @default 'eu-west-1' (not us-east-1, so that nothing can lean on the CLI's default region) */
  readonly region?: string;
  /** The region of each stack pinned to one (10m's: each region's stacks); the others are in `region`. @default none */
  readonly stackRegions?: Readonly<Record<string, string>>;
  /** @default '111122223333' */
  readonly accountId?: string;
  /** Pinned values by stack name, then logical ID. */
  readonly resources?: Readonly<Record<string, Readonly<Record<string, ResourceValues>>>>;
  /**
   * How many times each resource was created again after a deploy removed it from its stack (by
   * stack name, then logical ID): a resource CloudFormation creates anew gets new physical IDs (a
   * new volume, a new instance), while one it only updates keeps them. @default none (0)
   */
  readonly generations?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Removed from the enclosing object or list, as `Ref: AWS::NoValue` is. */
const NO_VALUE = Symbol('AWS::NoValue');

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Plays CloudFormation's part in resolving a template: it evaluates the intrinsic functions of
 * any part of a stack's template the way CloudFormation does at deploy time, with physical IDs
 * and attributes that look like AWS's (`vol-0…`, `sg-0…`, RDS endpoints …) and are stable for a
 * given stack and logical ID, or the values a scenario pins. Cross-stack references
 * (`Fn::GetStackOutput`, `Fn::ImportValue`) resolve through the producing stack's outputs.
 *
 * It refuses what it cannot honestly resolve (an attribute it has no rule for, an unknown
 * function or resource), naming it, rather than inventing a value.
 */
export class CloudFormationStandIn {
  public readonly region: string;
  public readonly accountId: string;

  public constructor(private readonly props: CloudFormationStandInProps) {
    this.region = props.region ?? 'eu-west-1';
    this.accountId = props.accountId ?? '111122223333';
  }

  /** The region a stack is deployed in: its own (two-region stages), else the default. */
  public regionOf(stack: string): string {
    return this.props.stackRegions?.[stack] ?? this.region;
  }

  public template(stack: string): Template {
    const template = this.props.templates[stack];
    if (!template) throw new Error(`no stack named ${stack} (stacks: ${Object.keys(this.props.templates).join(', ')})`);
    return template;
  }

  public stackId(stack: string): string {
    const h = digest(`stack/${stack}`);
    return `arn:aws:cloudformation:${this.regionOf(stack)}:${this.accountId}:stack/${stack}/${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }

  private resource(stack: string, logicalId: string): Template {
    const resource = this.template(stack).Resources?.[logicalId];
    if (!resource) throw new Error(`${stack} has no resource ${logicalId}`);
    return resource;
  }

  private pinned(stack: string, logicalId: string): ResourceValues | undefined {
    return this.props.resources?.[stack]?.[logicalId];
  }

  /** The resource's name in the digests its physical IDs come from (`#<n>` once it was created anew). */
  private identity(stack: string, logicalId: string): string {
    const generation = this.props.generations?.[stack]?.[logicalId] ?? 0;
    return generation > 0 ? `${logicalId}#${generation}` : logicalId;
  }

  /** A stable physical-ID suffix like CloudFormation's generated names (`…-A1B2C3D4E5F6`). */
  private suffix(stack: string, logicalId: string): string {
    return digest(`${stack}/${this.identity(stack, logicalId)}`).slice(0, 12).toUpperCase();
  }

  private hexId(prefix: string, stack: string, logicalId: string): string {
    return `${prefix}-0${digest(`${prefix}/${stack}/${this.identity(stack, logicalId)}`).slice(0, 16)}`;
  }

  /** What `Ref` returns for a resource of the stack. */
  public ref(stack: string, logicalId: string): string {
    const pinned = this.pinned(stack, logicalId)?.ref;
    if (pinned !== undefined) return pinned;
    const resource = this.resource(stack, logicalId);
    const generatedName = `${stack}-${logicalId}-${this.suffix(stack, logicalId)}`;
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::EC2::Volume':
        return this.hexId('vol', stack, logicalId);
      case 'AWS::EC2::Instance':
        return this.hexId('i', stack, logicalId);
      case 'AWS::EC2::SecurityGroup':
        return this.hexId('sg', stack, logicalId);
      case 'AWS::EC2::VPC':
        return this.hexId('vpc', stack, logicalId);
      case 'AWS::EC2::Subnet':
        return this.hexId('subnet', stack, logicalId);
      case 'AWS::EC2::LaunchTemplate':
        return this.hexId('lt', stack, logicalId);
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${this.regionOf(stack)}:${this.accountId}:secret:${props.Name ? this.resolve(stack, props.Name) : `${logicalId}-${this.suffix(stack, logicalId).slice(0, 12)}`}-${this.suffix(stack, `${logicalId}/arn`).slice(0, 6)}`;
      case 'AWS::SecretsManager::SecretTargetAttachment':
        // Its Ref is the ARN of the secret it completes.
        return String(this.resolve(stack, props.SecretId));
      case 'AWS::S3::Bucket':
        return props.BucketName ? String(this.resolve(stack, props.BucketName)) : generatedName.toLowerCase().slice(0, 63);
      case 'AWS::Logs::LogGroup':
        return props.LogGroupName ? String(this.resolve(stack, props.LogGroupName)) : generatedName;
      case 'AWS::SSM::Parameter':
        return props.Name ? String(this.resolve(stack, props.Name)) : `CFN-${logicalId}-${this.suffix(stack, logicalId)}`;
      case 'AWS::RDS::DBInstance':
        return (props.DBInstanceIdentifier ? String(this.resolve(stack, props.DBInstanceIdentifier)) : generatedName).toLowerCase();
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.regionOf(stack)}.amazonaws.com/${this.accountId}/${generatedName}`;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        return `arn:aws:elasticloadbalancing:${this.regionOf(stack)}:${this.accountId}:loadbalancer/${this.getAtt(stack, logicalId, 'LoadBalancerFullName')}`;
      case 'AWS::ElasticLoadBalancingV2::TargetGroup':
        return `arn:aws:elasticloadbalancing:${this.regionOf(stack)}:${this.accountId}:${this.getAtt(stack, logicalId, 'TargetGroupFullName')}`;
      default:
        return generatedName;
    }
  }

  /** What `Fn::GetAtt` returns; unknown attributes throw rather than guess. */
  public getAtt(stack: string, logicalId: string, attribute: string): string {
    const pinned = this.pinned(stack, logicalId)?.attributes?.[attribute];
    if (pinned !== undefined) return pinned;
    const resource = this.resource(stack, logicalId);
    const ref = () => this.ref(stack, logicalId);
    const props = resource.Properties ?? {};
    const rules: Record<string, Record<string, () => string>> = {
      'AWS::RDS::DBInstance': {
        'Endpoint.Address': () => `${ref()}.c${digest(this.accountId).slice(0, 10)}.${this.regionOf(stack)}.rds.amazonaws.com`,
        'Endpoint.Port': () => String(props.Port !== undefined ? this.resolve(stack, props.Port) : 5432),
        DBInstanceArn: () => `arn:aws:rds:${this.regionOf(stack)}:${this.accountId}:db:${ref()}`,
      },
      'AWS::SSM::Parameter': { Value: () => String(this.resolve(stack, props.Value)), Type: () => String(props.Type ?? 'String') },
      'AWS::EC2::SecurityGroup': { GroupId: ref, VpcId: () => String(this.resolve(stack, props.VpcId)) },
      'AWS::EC2::EIP': {
        PublicIp: () => `203.0.113.${parseInt(digest(`${stack}/${logicalId}`).slice(0, 2), 16) % 250 + 2}`,
        AllocationId: () => this.hexId('eipalloc', stack, logicalId),
      },
      'AWS::EC2::LaunchTemplate': { LatestVersionNumber: () => '1', DefaultVersionNumber: () => '1', LaunchTemplateId: ref },
      'AWS::S3::Bucket': {
        Arn: () => `arn:aws:s3:::${ref()}`,
        DomainName: () => `${ref()}.s3.amazonaws.com`,
        RegionalDomainName: () => `${ref()}.s3.${this.regionOf(stack)}.amazonaws.com`,
      },
      'AWS::IAM::Role': { Arn: () => `arn:aws:iam::${this.accountId}:role/${ref()}`, RoleId: () => `AROA${this.suffix(stack, logicalId)}` },
      'AWS::Logs::LogGroup': { Arn: () => `arn:aws:logs:${this.regionOf(stack)}:${this.accountId}:log-group:${ref()}:*` },
      'AWS::SQS::Queue': { Arn: () => `arn:aws:sqs:${this.regionOf(stack)}:${this.accountId}:${ref().split('/').pop()}`, QueueUrl: ref, QueueName: () => ref().split('/').pop()! },
      'AWS::SNS::Topic': { TopicArn: () => `arn:aws:sns:${this.regionOf(stack)}:${this.accountId}:${stack}-${logicalId}` },
      'AWS::ElasticLoadBalancingV2::LoadBalancer': {
        DNSName: () => `${logicalId.slice(0, 16).toLowerCase()}-${digest(logicalId).slice(0, 10)}.${this.regionOf(stack)}.elb.amazonaws.com`,
        LoadBalancerFullName: () => `app/${stack}-${logicalId}`.slice(0, 36) + `/${digest(logicalId).slice(0, 16)}`,
      },
      'AWS::ElastiCache::ReplicationGroup': {
        'ConfigurationEndPoint.Address': () => `clustercfg.${ref().toLowerCase()}.${digest(`${stack}/${logicalId}`).slice(0, 6)}.${this.regionOf(stack)}.cache.amazonaws.com`,
        'ConfigurationEndPoint.Port': () => String(props.Port !== undefined ? this.resolve(stack, props.Port) : 6379),
      },
      'AWS::ElasticLoadBalancingV2::TargetGroup': { TargetGroupFullName: () => `targetgroup/${logicalId.slice(0, 32)}/${digest(logicalId).slice(0, 16)}` },
    };
    const rule = rules[resource.Type]?.[attribute];
    if (!rule) throw new Error(`the boot test has no stand-in for Fn::GetAtt ${logicalId}.${attribute} (${resource.Type} in ${stack}); pin it in the scenario or add a rule`);
    return rule();
  }

  /** An output's value, resolved in its own stack. */
  public output(stack: string, outputName: string): unknown {
    const output = this.template(stack).Outputs?.[outputName];
    if (!output) throw new Error(`${stack} has no output ${outputName}`);
    return this.resolve(stack, output.Value);
  }

  private condition(stack: string, name: string): boolean {
    const expression = this.template(stack).Conditions?.[name];
    if (expression === undefined) throw new Error(`${stack} has no condition ${name}`);
    return Boolean(this.resolve(stack, expression));
  }

  private pseudo(stack: string, name: string): string | typeof NO_VALUE {
    switch (name) {
      case 'AWS::Region':
        return this.regionOf(stack);
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::StackName':
        return stack;
      case 'AWS::StackId':
        return this.stackId(stack);
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        throw new Error(`unsupported pseudo parameter ${name}`);
    }
  }

  private sub(stack: string, text: string, variables: Record<string, unknown>): string {
    return text.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in variables) return String(variables[name]);
      if (name.startsWith('AWS::')) return String(this.pseudo(stack, name));
      const dot = name.indexOf('.');
      if (dot > 0) return this.getAtt(stack, name.slice(0, dot), name.slice(dot + 1));
      if (this.template(stack).Parameters?.[name]) throw new Error(`parameter ${name} has no value in the boot test`);
      return this.ref(stack, name);
    });
  }

  /** Evaluates every intrinsic function in `value` as CloudFormation would in `stack`. */
  public resolve(stack: string, value: unknown): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    const result = this.evaluate(stack, value);
    return result === NO_VALUE ? undefined : result;
  }

  private evaluate(stack: string, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.evaluate(stack, v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, arg] = entries[0];
      const r = (v: unknown) => this.evaluate(stack, v);
      switch (key) {
        case 'Ref': {
          const name = String(arg);
          if (name.startsWith('AWS::')) return this.pseudo(stack, name);
          if (this.template(stack).Parameters?.[name]) throw new Error(`parameter ${name} has no value in the boot test`);
          return this.ref(stack, name);
        }
        case 'Fn::GetAtt': {
          const [logicalId, ...attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
          return this.getAtt(stack, logicalId, attribute.join('.'));
        }
        case 'Fn::Join': {
          const [separator, list] = arg as [string, unknown];
          return (r(list) as unknown[]).map(String).join(separator);
        }
        case 'Fn::Sub':
          if (typeof arg === 'string') return this.sub(stack, arg, {});
          return this.sub(stack, String((arg as unknown[])[0]), r((arg as unknown[])[1]) as Record<string, unknown>);
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          const items = r(list) as unknown[];
          const i = Number(r(index));
          if (!(i >= 0 && i < items.length)) throw new Error(`Fn::Select index ${i} out of range (${items.length} items)`);
          return items[i];
        }
        case 'Fn::Split': {
          const [separator, text] = arg as [string, unknown];
          return String(r(text)).split(separator);
        }
        case 'Fn::Base64':
          return Buffer.from(String(r(arg))).toString('base64');
        case 'Fn::GetAZs':
          return ['a', 'b', 'c'].map((zone) => `${this.regionOf(stack)}${zone}`);
        case 'Fn::If': {
          const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
          return this.condition(stack, condition) ? r(whenTrue) : r(whenFalse);
        }
        case 'Fn::Equals': {
          const [a, b] = arg as [unknown, unknown];
          return JSON.stringify(r(a)) === JSON.stringify(r(b));
        }
        case 'Fn::Not':
          return !r((arg as unknown[])[0]);
        case 'Fn::And':
          return (arg as unknown[]).every((c) => r(c));
        case 'Fn::Or':
          return (arg as unknown[]).some((c) => r(c));
        case 'Condition':
          return this.condition(stack, String(arg));
        case 'Fn::FindInMap': {
          const [map, top, second] = (arg as unknown[]).map((v) => String(r(v)));
          const found = this.template(stack).Mappings?.[map]?.[top]?.[second];
          if (found === undefined) throw new Error(`Fn::FindInMap ${map}.${top}.${second} has no value`);
          return found;
        }
        case 'Fn::ImportValue': {
          const name = String(r(arg));
          for (const producer of Object.keys(this.props.templates)) {
            for (const [outputName, output] of Object.entries<Template>(this.template(producer).Outputs ?? {})) {
              if (output.Export && this.resolve(producer, output.Export.Name) === name) return this.output(producer, outputName);
            }
          }
          throw new Error(`no stack exports ${name}`);
        }
        case 'Fn::GetStackOutput': {
          const spec = r(arg) as { StackName: string; OutputName: string; Region?: string };
          // Another region's stack is named with its region: CloudFormation looks the stack up there, and fails if it is not.
          if (spec.Region && spec.Region !== this.regionOf(spec.StackName)) {
            throw new Error(`${stack} reads ${spec.StackName} in ${spec.Region}, but ${spec.StackName} is in ${this.regionOf(spec.StackName)}`);
          }
          return this.output(spec.StackName, spec.OutputName);
        }
        default:
          if (key.startsWith('Fn::')) throw new Error(`the boot test cannot evaluate ${key}`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = this.evaluate(stack, v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }
}
