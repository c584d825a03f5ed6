import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { WorkMessage } from '../../../lambda/queue-worker/messages';

/** Sends work messages (lambda/queue-worker/messages.ts) to the SQS work queue (1m). */
export interface WorkQueue {
  send(messages: readonly WorkMessage[]): Promise<void>;
}

/** SendMessageBatch takes at most 10 entries. */
const BATCH = 10;

export class SqsWorkQueue implements WorkQueue {
  private readonly client: SQSClient;

  constructor(
    private readonly queueUrl: string,
    region?: string,
  ) {
    this.client = new SQSClient({ region: region ?? process.env.AWS_REGION ?? 'us-east-1' });
  }

  async send(messages: readonly WorkMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += BATCH) {
      const entries = messages.slice(i, i + BATCH).map((message, index) => ({ Id: String(index), MessageBody: JSON.stringify(message) }));
      const out = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }));
      if (out.Failed?.length) throw new Error(`work queue refused ${out.Failed.length} message(s): ${out.Failed[0].Code ?? 'unknown'}`);
    }
  }

  close(): void {
    this.client.destroy();
  }
}
