import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventsources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import type { QueueSpec } from '../../../stages/stage-spec';
import { LocalNodeFunction } from '../media/private/local-node-function';

/** Where the worker writes precomputed feeds. */
export interface WorkerRedis {
  /** `rediss://<configuration endpoint>:6379` */
  readonly url: string;
  readonly cluster: boolean;
  /** Secret whose `password` field is the AUTH token. */
  readonly authSecret: secretsmanager.ISecret;
}

export interface QueueWorkerProps {
  readonly spec: QueueSpec;
  readonly queue: sqs.IQueue;
  readonly redis: WorkerRedis;
  /** The worker runs in the VPC to reach the cache. */
  readonly vpc: ec2.IVpc;
  /** @default the private subnets with egress (Secrets Manager is reached through NAT) */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The worker's security group (the cache's allows it in). */
  readonly securityGroup: ec2.ISecurityGroup;
  readonly logRetentionDays: number;
  /** Messages per invocation. @default 10 */
  readonly batchSize?: number;
  /**
   * Most concurrent invocations the queue may drive, so a backlog cannot
   * exhaust Redis connections or the account's Lambda concurrency. @default 20
   */
  readonly maxConcurrency?: number;
}

/**
 * The Lambda function consuming the work queue (stage 1m): a batch at a time,
 * reporting only the failed items (ReportBatchItemFailures) so the rest are
 * not redone. Its timeout is a sixth of the queue's visibility timeout, as AWS
 * advises, so a message is never visible again while still being processed.
 */
export class QueueWorker extends Construct {
  public readonly function: lambda.IFunction;
  public readonly handler: LocalNodeFunction;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    const timeoutSeconds = Math.max(3, Math.floor(props.spec.visibilityTimeoutSeconds / 6));
    this.handler = new LocalNodeFunction(this, 'Function', {
      entry: join(__dirname, '..', '..', '..', 'lambda', 'queue-worker', 'index.ts'),
      description: 'Graminsta: applies asynchronous work from the queue (feed fan-out into Redis)',
      memorySize: props.spec.workerMemoryMiB,
      timeout: Duration.seconds(timeoutSeconds),
      logRetentionDays: props.logRetentionDays,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      environment: {
        REDIS_URL: props.redis.url,
        REDIS_CLUSTER: String(props.redis.cluster),
        REDIS_AUTH_SECRET_ARN: props.redis.authSecret.secretArn,
      },
    });
    this.function = this.handler.function;
    props.redis.authSecret.grantRead(this.handler.role);
    this.function.addEventSource(
      new eventsources.SqsEventSource(props.queue, {
        batchSize: props.batchSize ?? 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency ?? 20,
      }),
    );
  }

  /** Invocations that failed as a whole (a batch that could not even start). */
  public metricErrors(): cloudwatch.Metric {
    return this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
  }
}
