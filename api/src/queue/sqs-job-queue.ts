import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { JobMessage } from '../../../contracts/job-messages';
import type { JobQueue, ReceivedJob } from './job-queue';

export interface SqsJobQueueOptions {
  readonly queueUrl: string;
  /**
   * Sent with every ReceiveMessage, so the worker's setting wins over the
   * queue's default (the 1m stack sets the same value on the queue).
   */
  readonly visibilityTimeoutMs: number;
  /** A client to use (tests point one at a local server); @default a client for `region` */
  readonly client?: SQSClient;
  readonly region?: string;
}

/** SendMessageBatch and ReceiveMessage take at most 10 messages. */
const BATCH = 10;
/** SQS long polling waits at most 20 s. */
const MAX_WAIT_SECONDS = 20;
/** SQS caps a message's visibility at 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * The work queue on Amazon SQS (the 1m stack's queue). Receives long-poll
 * and set the visibility timeout; `ack` is DeleteMessage; `fail` is
 * ChangeMessageVisibility to the retry delay. Dead-lettering is the queue's
 * redrive policy: SQS moves a message to the dead-letter queue once it has
 * been received `maxReceiveCount` times, so `permanent` cannot shortcut it
 * (the message just comes back at once and burns its receives).
 *
 * The attempt number is the message's ApproximateReceiveCount.
 */
export class SqsJobQueue implements JobQueue {
  readonly kind = 'sqs';
  private readonly client: SQSClient;
  private readonly ownsClient: boolean;

  constructor(private readonly options: SqsJobQueueOptions) {
    this.ownsClient = !options.client;
    this.client = options.client ?? new SQSClient({ region: options.region ?? process.env.AWS_REGION ?? 'us-east-1' });
  }

  async send(messages: readonly JobMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += BATCH) {
      const entries = messages.slice(i, i + BATCH).map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) }));
      const out = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }));
      if (out.Failed?.length) throw new Error(`work queue refused ${out.Failed.length} message(s): ${out.Failed[0].Code ?? 'unknown'}`);
    }
  }

  async receive(max: number, waitMs: number, signal?: AbortSignal): Promise<ReceivedJob[]> {
    if (signal?.aborted) return [];
    try {
      const out = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.options.queueUrl,
          MaxNumberOfMessages: Math.max(1, Math.min(BATCH, max)),
          WaitTimeSeconds: Math.max(0, Math.min(MAX_WAIT_SECONDS, Math.floor(waitMs / 1000))),
          VisibilityTimeout: visibilitySeconds(this.options.visibilityTimeoutMs),
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        { abortSignal: signal },
      );
      return (out.Messages ?? []).map((message) => ({
        id: message.MessageId ?? '',
        body: message.Body ?? '',
        receipt: message.ReceiptHandle ?? '',
        attempt: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
      }));
    } catch (error) {
      // Shutting down: the aborted long poll returns nothing (SQS hides nothing it did not return).
      if (signal?.aborted) return [];
      throw error;
    }
  }

  async ack(job: ReceivedJob): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: job.receipt }));
  }

  async fail(job: ReceivedJob, _error: string, retryDelayMs: number, permanent: boolean): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.options.queueUrl,
        ReceiptHandle: job.receipt,
        VisibilityTimeout: permanent ? 0 : visibilitySeconds(retryDelayMs),
      }),
    );
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }
}

function visibilitySeconds(ms: number): number {
  return Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(ms / 1000)));
}
