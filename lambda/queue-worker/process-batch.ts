import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { FeedStore } from './feed-store';
import { parseWorkMessage, type WorkMessage } from './messages';

export interface BatchLogger {
  error(message: string, detail: Record<string, unknown>): void;
}

/** Applies one message. Idempotent: SQS delivers at least once, and a retried batch repeats items. */
export async function applyMessage(store: FeedStore, message: WorkMessage): Promise<void> {
  switch (message.type) {
    case 'feed.fanout':
      return store.add(message.followerIds, message.photoId, Date.parse(message.createdAt));
    case 'feed.retract':
      return store.remove(message.followerIds, message.photoId);
  }
}

/**
 * Processes an SQS batch and reports only the failed items, so SQS redelivers
 * those alone (ReportBatchItemFailures); after the queue's maxReceiveCount they
 * move to the dead-letter queue. Invalid messages fail too: the DLQ is where
 * someone can look at them.
 */
export async function processBatch(records: readonly SQSRecord[], store: FeedStore, log: BatchLogger): Promise<SQSBatchResponse> {
  // async, so a parse error rejects that item's promise instead of throwing out of the batch.
  const outcomes = await Promise.allSettled(records.map(async (record) => applyMessage(store, parseWorkMessage(record.body))));
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'rejected') {
      const reason = outcome.reason as Error;
      log.error('work message failed', { messageId: records[i].messageId, error: reason.name, message: reason.message });
      batchItemFailures.push({ itemIdentifier: records[i].messageId });
    }
  });
  return { batchItemFailures };
}
