import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { Jimp } from 'jimp';
import { jpegSize } from './jpeg-size';
import { startLocalS3, type LocalS3 } from '../../support/local-s3';
import { startLocalSqs, type LocalSqs } from '../../api/support/sqs-server';

const BUCKET = 'uploads';

function s3Event(key: string): S3Event {
  return { Records: [{ s3: { bucket: { name: BUCKET }, object: { key } } }] } as unknown as S3Event;
}

describe('thumbnails handler (S3 event in, thumbnail in the bucket)', () => {
  let s3: LocalS3;
  let handler: (event: S3Event) => Promise<void>;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startLocalS3();
    await s3.createBucket(BUCKET);
    Object.assign(process.env, {
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      THUMBNAIL_MAX_WIDTH_PX: '100',
      MAX_SOURCE_BYTES: '1000000',
    });
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = require('../../../lambda/thumbnails/index').handler;
    });
  });
  afterAll(async () => {
    process.env = saved;
    await s3?.stop();
  });

  test('decodes the event key (spaces as +) and writes the thumbnail next to it under media/thumbnails/', async () => {
    const png = await new Jimp({ width: 400, height: 200, color: 0x00ff00ff }).getBuffer('image/png');
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/originals/3/my photo', Body: png, ContentType: 'image/png' }));
    await handler(s3Event('media/originals/3/my+photo'));
    const thumb = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'media/thumbnails/3/my photo' }));
    expect(thumb.ContentType).toBe('image/jpeg');
    expect(thumb.CacheControl).toBe('public, max-age=31536000, immutable');
    expect(await jpegSize(Buffer.from(await thumb.Body!.transformToByteArray()))).toEqual([100, 50]);
  });

  test('throws when the original cannot be read, so Lambda retries the event', async () => {
    await expect(handler(s3Event('media/originals/3/missing'))).rejects.toThrow();
  });
});

describe('thumbnails handler at 1m (WORK_QUEUE_URL set): photo.ready to the work queue', () => {
  let s3: LocalS3;
  let sqs: LocalSqs;
  let handler: (event: S3Event) => Promise<void>;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startLocalS3();
    await s3.createBucket(BUCKET);
    sqs = await startLocalSqs();
    Object.assign(process.env, {
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      THUMBNAIL_MAX_WIDTH_PX: '100',
      MAX_SOURCE_BYTES: '1000000',
      WORK_QUEUE_URL: sqs.queueUrl,
    });
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = require('../../../lambda/thumbnails/index').handler;
    });
  });
  afterAll(async () => {
    process.env = saved;
    await sqs?.stop();
    await s3?.stop();
  });

  test('after writing the thumbnail of media/originals/<userId>/<photoId> it sends {"type":"photo.ready","version":1,"photoId"}', async () => {
    const png = await new Jimp({ width: 40, height: 20, color: 0xff0000ff }).getBuffer('image/png');
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/originals/123/456789', Body: png, ContentType: 'image/png' }));
    await handler(s3Event('media/originals/123/456789'));
    expect(sqs.requests.map((r) => r.operation)).toEqual(['SendMessage']);
    expect(sqs.bodies().map((body) => JSON.parse(body))).toEqual([{ type: 'photo.ready', version: 1, photoId: '456789' }]);
  });

  test('sends nothing when no thumbnail was written (undecodable bytes) or the key holds no photo ID', async () => {
    const before = sqs.requests.length;
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/originals/123/777', Body: 'not an image', ContentType: 'image/png' }));
    await handler(s3Event('media/originals/123/777'));
    const png = await new Jimp({ width: 40, height: 20, color: 0xff0000ff }).getBuffer('image/png');
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/originals/123/not-an-id', Body: png, ContentType: 'image/png' }));
    await handler(s3Event('media/originals/123/not-an-id'));
    expect(sqs.requests.slice(before)).toEqual([]);
  });

  test('a failed send fails the invocation, so Lambda retries the event (both steps are idempotent)', async () => {
    await sqs.stop();
    const png = await new Jimp({ width: 40, height: 20, color: 0xff0000ff }).getBuffer('image/png');
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'media/originals/123/999', Body: png, ContentType: 'image/png' }));
    await expect(handler(s3Event('media/originals/123/999'))).rejects.toThrow();
  });
});
