import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { VISIBILITY_TIMEOUT_FACTOR } from '../../../contracts/work-queue';
import { type QueueSpec, queueVisibilityTimeoutSeconds } from '../../../stages/stage-spec';

export interface WorkQueueProps {
  readonly spec: QueueSpec;
  /** How long failed messages stay in the dead-letter queue. @default 14 days (the SQS maximum) */
  readonly deadLetterRetention?: Duration;
}

/**
 * The SQS queue for asynchronous work (stage 1m; jobs in docs/queue.md) and
 * its dead-letter queue: a message received `maxReceiveCount` times without
 * success moves there. Both use SQS-managed encryption and refuse non-TLS
 * requests. The visibility timeout is the worker's job timeout times
 * VISIBILITY_TIMEOUT_FACTOR, so a message does not reappear while a worker
 * still runs it.
 *
 * Construct IDs are frozen: `Queue` and `DeadLetterQueue` are stateful (RETAIN:
 * deleting them would drop queued work). It lives in the Data stack; the
 * consumers (the worker service on the fleet, the thumbnail function) live in
 * the App stack and only reference it.
 */
export class WorkQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  /** What the queue was made for: the worker's job timeout and concurrency come from it too. */
  public readonly spec: QueueSpec;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const { spec } = props;
    this.spec = spec;
    if (!Number.isInteger(spec.maxReceiveCount) || spec.maxReceiveCount < 1 || spec.maxReceiveCount > 1000) {
      throw new Error(`queue.maxReceiveCount must be 1-1000, got ${spec.maxReceiveCount}`);
    }
    // SQS allows a visibility timeout of at most 12 hours.
    const maxJobTimeout = Math.floor(43_200 / VISIBILITY_TIMEOUT_FACTOR);
    if (!Number.isInteger(spec.jobTimeoutSeconds) || spec.jobTimeoutSeconds < 1 || spec.jobTimeoutSeconds > maxJobTimeout) {
      throw new Error(`queue.jobTimeoutSeconds must be 1-${maxJobTimeout}, got ${spec.jobTimeoutSeconds}`);
    }
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention ?? Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(queueVisibilityTimeoutSeconds(spec)),
      // Longer than the DLQ's would be pointless; 4 days is SQS's default.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Lets the API (and the thumbnail function) send work, and only send. */
  public grantSend(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }

  /** Lets the worker receive, delete and extend the visibility of messages. */
  public grantConsume(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantConsumeMessages(grantee);
  }
}
