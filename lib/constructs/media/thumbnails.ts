import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { ORIGINALS_PREFIX, THUMBNAILS_PREFIX } from '../../../contracts/media-keys';
import { LocalNodeFunction } from '../common/local-node-function';

export interface ThumbnailsProps {
  /** The uploads bucket: originals are read from, thumbnails written to, it. */
  readonly bucket: s3.IBucket;
  readonly memoryMiB: number;
  readonly maxWidthPx: number;
  /** Originals above this size are skipped. */
  readonly maxSourceBytes: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Concurrent executions reserved for the function, which also caps it. Lambda
   * refuses a reservation that leaves the account less than its minimum
   * unreserved concurrency, so on a new account (quota 10) any reservation
   * fails the deploy (`uploads.thumbnails.reservedConcurrency` in the stage spec).
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
   * @default no reservation: the function shares the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
}

/**
 * The thumbnail function: S3 object-created under `media/originals/` → a JPEG
 * under `media/thumbnails/` (a different prefix, so no loop). Failed events
 * (after Lambda's 2 retries) land in an SQS failure queue kept 14 days.
 */
export class Thumbnails extends Construct {
  public readonly function: lambda.IFunction;
  /** Events that failed after all retries, for inspection and redrive. */
  public readonly failureQueue: sqs.Queue;
  public readonly handler: LocalNodeFunction;

  constructor(scope: Construct, id: string, props: ThumbnailsProps) {
    super(scope, id);
    const reserved = props.reservedConcurrency;
    if (reserved !== undefined && !(Number.isInteger(reserved) && reserved >= 1)) {
      // 0 is a valid Lambda setting, but it throttles every invocation: no thumbnail would ever be made.
      throw new Error(`reservedConcurrency must be a whole number of at least 1, or absent for no reservation; got ${reserved}`);
    }
    // Frozen ID, RETAIN: it may hold failed events someone still has to look at.
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.handler = new LocalNodeFunction(this, 'Function', {
      entry: join(__dirname, '..', '..', '..', 'lambda', 'thumbnails', 'index.ts'),
      description: 'Graminsta: makes a JPEG thumbnail of each photo uploaded under media/originals/',
      memorySize: props.memoryMiB,
      // A 10 MiB JPEG decodes and scales in a few seconds at 1 GiB; 60 s leaves room.
      timeout: Duration.seconds(60),
      logRetention: props.logRetention,
      reservedConcurrentExecutions: reserved,
      retryAttempts: 2,
      onFailure: new destinations.SqsDestination(this.failureQueue),
      environment: {
        THUMBNAIL_MAX_WIDTH_PX: String(props.maxWidthPx),
        MAX_SOURCE_BYTES: String(props.maxSourceBytes),
      },
    });
    this.function = this.handler.function;
    // Least privilege: read originals, write thumbnails, nothing else in the bucket.
    this.handler.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects(`${ORIGINALS_PREFIX}*`)] }));
    this.handler.role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [props.bucket.arnForObjects(`${THUMBNAILS_PREFIX}*`)] }));
    props.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.function), { prefix: ORIGINALS_PREFIX });
  }

  /**
   * Stage 1m: after writing a thumbnail the function sends `photo.ready` to
   * the work queue (`WORK_QUEUE_URL`), and may only send to it.
   */
  public sendReadyTo(queue: sqs.IQueue): void {
    this.handler.function.addEnvironment('WORK_QUEUE_URL', queue.queueUrl);
    queue.grantSendMessages(this.handler.role);
  }
}
