import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { photoReady } from '../../contracts/job-messages';

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
