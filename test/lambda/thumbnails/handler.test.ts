import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { Jimp } from 'jimp';
import { jpegSize } from './jpeg-size';
import { startLocalS3, type LocalS3 } from './local-s3';

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
