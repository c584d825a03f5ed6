import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Jimp } from 'jimp';
import { thumbnailKeyFor } from '../../../contracts/media-keys';
import { decodeS3EventKey } from '../../../lambda/thumbnails/s3-event-key';
import { type ObjectStore, s3ObjectStore } from '../../../lambda/thumbnails/object-store';
import { processUpload } from '../../../lambda/thumbnails/process-upload';
import { settingsFromEnv } from '../../../lambda/thumbnails/settings';
import { jpegSize } from './jpeg-size';
import { startLocalS3, type LocalS3 } from '../../support/local-s3';

const BUCKET = 'uploads';
const SETTINGS = { maxWidthPx: 320, maxSourceBytes: 1024 * 1024 };

describe('thumbnail keys', () => {
  test('an original maps to the same path under media/thumbnails/', () => {
    expect(thumbnailKeyFor('media/originals/42/4242')).toBe('media/thumbnails/42/4242');
  });
  test('a thumbnail (or anything outside media/originals/) has no thumbnail, so no loop', () => {
    expect(thumbnailKeyFor('media/thumbnails/42/4242')).toBeUndefined();
    expect(thumbnailKeyFor('media/originals/')).toBeUndefined();
    expect(thumbnailKeyFor('other/originals/1')).toBeUndefined();
  });
  test('S3 event keys are URL-decoded with + as space', () => {
    expect(decodeS3EventKey('media/originals/1/a+b%2Bc.png')).toBe('media/originals/1/a b+c.png');
  });
});

describe('settingsFromEnv', () => {
  test('reads positive integers', () => {
    expect(settingsFromEnv({ THUMBNAIL_MAX_WIDTH_PX: '640', MAX_SOURCE_BYTES: '100' })).toEqual({ maxWidthPx: 640, maxSourceBytes: 100 });
  });
  test('names the variable that is missing or bad', () => {
    expect(() => settingsFromEnv({ MAX_SOURCE_BYTES: '100' })).toThrow('THUMBNAIL_MAX_WIDTH_PX must be a positive integer');
    expect(() => settingsFromEnv({ THUMBNAIL_MAX_WIDTH_PX: '1.5', MAX_SOURCE_BYTES: '100' })).toThrow('THUMBNAIL_MAX_WIDTH_PX');
  });
});

describe('processUpload against a local S3 server (s3rver)', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3();
    await s3.createBucket(BUCKET);
  });
  afterAll(async () => s3?.stop());

  async function upload(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: contentType }));
  }

  test('writes a JPEG thumbnail of the maximum width under media/thumbnails/', async () => {
    await upload('media/originals/7/1001', await new Jimp({ width: 1000, height: 500, color: 0xff0000ff }).getBuffer('image/png'), 'image/png');
    const outcome = await processUpload(s3ObjectStore(s3.client), BUCKET, 'media/originals/7/1001', SETTINGS);
    expect(outcome).toEqual({ status: 'written', key: 'media/originals/7/1001', thumbnailKey: 'media/thumbnails/7/1001', width: 320, height: 160 });
    const stored = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'media/thumbnails/7/1001' }));
    expect(stored.ContentType).toBe('image/jpeg');
    expect(stored.Metadata).toMatchObject({ 'source-key': 'media/originals/7/1001', width: '320', height: '160' });
    expect(await jpegSize(Buffer.from(await stored.Body!.transformToByteArray()))).toEqual([320, 160]);
  });

  test('skips a corrupt upload without writing anything (no retry can fix it)', async () => {
    await upload('media/originals/7/1002', Buffer.from('garbage'), 'image/jpeg');
    const outcome = await processUpload(s3ObjectStore(s3.client), BUCKET, 'media/originals/7/1002', SETTINGS);
    expect(outcome.status).toBe('skipped');
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'media/thumbnails/7/1002' }))).rejects.toThrow();
  });

  test('skips types jimp cannot decode (webp) and originals above the size limit', async () => {
    await upload('media/originals/7/1003', Buffer.from('RIFF....WEBP'), 'image/webp');
    expect(await processUpload(s3ObjectStore(s3.client), BUCKET, 'media/originals/7/1003', SETTINGS)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('image/webp') });
    await upload('media/originals/7/1004', await new Jimp({ width: 64, height: 64, color: 0 }).getBuffer('image/png'), 'image/png');
    expect(await processUpload(s3ObjectStore(s3.client), BUCKET, 'media/originals/7/1004', { ...SETTINGS, maxSourceBytes: 10 })).toMatchObject({ status: 'skipped' });
  });

  test('ignores a thumbnail key without reading it, so the function never loops', async () => {
    const before = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const outcome = await processUpload(s3ObjectStore(s3.client), BUCKET, 'media/thumbnails/7/1001', SETTINGS);
    expect(outcome).toEqual({ status: 'skipped', key: 'media/thumbnails/7/1001', reason: 'not under the originals prefix' });
    const after = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(after.KeyCount).toBe(before.KeyCount);
  });

  test('an original no replication covers has no replication status (s3rver, as S3 for a bucket without a rule)', async () => {
    expect(await s3ObjectStore(s3.client).replicationStatus(BUCKET, 'media/originals/7/1001')).toBeUndefined();
  });

  test("a replicated original (10m: copied from the other region, which made its thumbnail) is skipped before it is read; the region's own upload is not", async () => {
    const png = await new Jimp({ width: 400, height: 400, color: 0x00ff00ff }).getBuffer('image/png');
    await upload('media/originals/8/2001', png, 'image/png');
    await upload('media/originals/8/2002', png, 'image/png');
    // s3rver has no replication: this store reports what S3 answers for a replica (x-amz-replication-status: REPLICA)
    // and counts reads; everything else is the real local S3.
    const real = s3ObjectStore(s3.client);
    const reads: string[] = [];
    const store: ObjectStore = {
      replicationStatus: async (bucket, key) => (key.endsWith('/2001') ? 'REPLICA' : real.replicationStatus(bucket, key)),
      get: async (bucket, key) => {
        reads.push(key);
        return real.get(bucket, key);
      },
      put: (...args) => real.put(...args),
    };
    expect(await processUpload(store, BUCKET, 'media/originals/8/2001', SETTINGS)).toEqual({
      status: 'skipped',
      key: 'media/originals/8/2001',
      reason: expect.stringContaining('a replica from the other region'),
    });
    await expect(s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'media/thumbnails/8/2001' }))).rejects.toThrow();
    expect(await processUpload(store, BUCKET, 'media/originals/8/2002', SETTINGS)).toMatchObject({ status: 'written', thumbnailKey: 'media/thumbnails/8/2002' });
    expect(reads).toEqual(['media/originals/8/2002']);
  });

  test('a missing original throws, so Lambda retries and then sends the event to the failure queue', async () => {
    await expect(processUpload(s3ObjectStore(s3.client), BUCKET, 'media/originals/7/missing', SETTINGS)).rejects.toThrow();
  });
});
