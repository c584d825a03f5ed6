import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { S3Event } from 'aws-lambda';
import { photoIdOfOriginal } from '../../contracts/media-keys';
import { decodeS3EventKey } from './s3-event-key';
import { s3ObjectStore } from './object-store';
import { processUpload } from './process-upload';
import { sqsReadyNotifier } from './ready-notifier';
import { settingsFromEnv, workQueueUrlFromEnv } from './settings';

// Created once per execution environment, reused across invocations. S3_ENDPOINT
// (path-style, e.g. s3rver) is for local runs and tests only, as in the API.
const endpoint = process.env.S3_ENDPOINT;
const store = s3ObjectStore(new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {}));
const settings = settingsFromEnv(process.env);
// Stage 1m: WORK_QUEUE_URL set → `photo.ready` to the worker after each thumbnail.
const workQueueUrl = workQueueUrlFromEnv(process.env);
const notifier = workQueueUrl ? sqsReadyNotifier(new SQSClient({}), workQueueUrl) : undefined;

/**
 * S3 object-created notifications under media/originals/ → one JPEG thumbnail
 * each, then (1m) `photo.ready`. A failed send throws, so Lambda retries the
 * event: rewriting the thumbnail and marking the photo ready are both idempotent.
 */
export async function handler(event: S3Event): Promise<void> {
  for (const record of event.Records) {
    const key = decodeS3EventKey(record.s3.object.key);
    const outcome = await processUpload(store, record.s3.bucket.name, key, settings);
    const photoId = outcome.status === 'written' && notifier ? photoIdOfOriginal(key) : undefined;
    if (photoId) await notifier!.photoReady(photoId);
    console.log(JSON.stringify({ ...outcome, ...(photoId ? { photoReadySent: photoId } : {}) }));
  }
}
