import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';

/** The repository root: esbuild's working directory and where package-lock.json lives. */
export const PROJECT_ROOT = join(__dirname, '..', '..', '..');

export interface LocalNodeFunctionProps {
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  readonly environment?: Readonly<Record<string, string>>;
  readonly reservedConcurrentExecutions?: number;
  readonly vpc?: lambda.FunctionProps['vpc'];
  readonly vpcSubnets?: lambda.FunctionProps['vpcSubnets'];
  readonly securityGroups?: lambda.FunctionProps['securityGroups'];
  readonly onFailure?: lambda.IDestination;
  readonly retryAttempts?: number;
}

/**
 * A Node.js Lambda function bundled by the LOCAL esbuild (never Docker, so synth
 * works offline on any machine with `npm ci`), on Graviton, with its own log
 * group (retention + RETAIN) and its own role that can write only to that log
 * group: no AWSLambdaBasicExecutionRole managed policy with its `*` resources.
 *
 * Construct IDs below are frozen: `LogGroup` is stateful (its logical ID must
 * never change, or the logs would be orphaned and a new group created).
 */
export class LocalNodeFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: LocalNodeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs: ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);
    if (props.vpc) {
      // What AWSLambdaVPCAccessExecutionRole grants, written out: ENI management
      // has no resource-level permissions for Describe*, hence `*`.
      this.role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: ['*'],
        }),
      );
    }
    this.function = new nodejs.NodejsFunction(this, 'Resource', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: { ...props.environment },
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: props.securityGroups,
      onFailure: props.onFailure,
      retryAttempts: props.retryAttempts,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        minify: true,
        format: nodejs.OutputFormat.CJS,
        // The runtime's AWS SDK v3 is used; everything else (jimp, ioredis) is bundled.
        externalModules: ['@aws-sdk/*'],
        logLevel: nodejs.LogLevel.WARNING,
      },
    });
  }
}
