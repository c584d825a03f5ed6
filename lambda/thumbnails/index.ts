import { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { decodeS3EventKey } from './keys';
import { s3ObjectStore } from './object-store';
import { processUpload } from './process-upload';
import { settingsFromEnv } from './settings';

// Created once per execution environment, reused across invocations. S3_ENDPOINT
// (path-style, e.g. s3rver) is for local runs and tests only, as in the API.
const endpoint = process.env.S3_ENDPOINT;
const store = s3ObjectStore(new S3Client(endpoint ? { endpoint, forcePathStyle: true } : {}));
const settings = settingsFromEnv(process.env);

/** S3 object-created notifications under media/originals/ → one JPEG thumbnail each. */
export async function handler(event: S3Event): Promise<void> {
  for (const record of event.Records) {
    const outcome = await processUpload(store, record.s3.bucket.name, decodeS3EventKey(record.s3.object.key), settings);
    console.log(JSON.stringify(outcome));
  }
}
