import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { photoReady } from '../../contracts/job-messages';
import { ORIGINALS_PREFIX } from './keys';

/** Tells the API's worker that a photo's thumbnail exists (stage 1m). */
export interface ReadyNotifier {
  photoReady(photoId: string): Promise<void>;
}

/** Sends `photo.ready` (contracts/job-messages.ts) to the work queue; the worker marks the photo ready. */
export function sqsReadyNotifier(client: SQSClient, queueUrl: string): ReadyNotifier {
  return {
    async photoReady(photoId) {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(photoReady(photoId)) }));
    },
  };
}

/**
 * The photo ID of an original's key, `media/originals/<userId>/<photoId>`,
 * or undefined when the key is not one the API wrote (nothing to mark).
 */
export function photoIdOfOriginal(key: string): string | undefined {
  if (!key.startsWith(ORIGINALS_PREFIX)) return undefined;
  const match = /^([1-9]\d{0,19})\/([1-9]\d{0,19})$/.exec(key.slice(ORIGINALS_PREFIX.length));
  return match ? match[2] : undefined;
}
