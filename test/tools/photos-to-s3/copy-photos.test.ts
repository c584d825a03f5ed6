import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { copyPhotos } from '../../../tools/photos-to-s3/copy-photos';
import { createProgress } from '../../../tools/lib/progress';
import { startLocalS3, type LocalS3 } from '../../support/local-s3';

const BUCKET = 'uploads';
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 7)]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(3000, 1)]);
let s3: LocalS3;
let dataDir: string;

function writePhoto(key: string, body: Buffer): void {
  mkdirSync(join(dataDir, key, '..'), { recursive: true });
  writeFileSync(join(dataDir, key), body);
}

async function bucketKeys(): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: [BUCKET] });
});
afterAll(async () => s3?.stop());
beforeEach(async () => {
  const keys = await bucketKeys();
  if (keys.length > 0) await s3.client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
  dataDir = mkdtempSync(join(tmpdir(), 'graminsta-data-'));
  writePhoto('media/originals/1/101', JPEG);
  writePhoto('media/originals/1/102', PNG);
  writePhoto('media/thumbnails/1/101', JPEG.subarray(0, 800));
  writePhoto('media/originals/2/201.abc123.part', Buffer.from('half an upload'));
  // Not a photo: the stage-1 PostgreSQL data directory lives beside media/ and must not be copied.
  writePhoto('postgresql/PG_VERSION', Buffer.from('16'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

test('copies every photo file under DATA_DIR/media to the same key, with its content type, and skips partial uploads', async () => {
  const result = await copyPhotos({ dataDir, bucket: BUCKET, client: s3.client, progress: createProgress({ silent: true }) });
  expect(result).toEqual({ files: 3, uploaded: 3, skipped: 0, bytesUploaded: JPEG.length + PNG.length + 800 });
  expect(await bucketKeys()).toEqual(['media/originals/1/101', 'media/originals/1/102', 'media/thumbnails/1/101']);
  const png = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'media/originals/1/102' }));
  expect(png.ContentType).toBe('image/png');
  expect(Buffer.from(await png.Body!.transformToByteArray()).equals(PNG)).toBe(true);
});

test('a second run uploads nothing new; a changed file is uploaded again', async () => {
  const progress = createProgress({ silent: true });
  await copyPhotos({ dataDir, bucket: BUCKET, client: s3.client, progress });
  expect(await copyPhotos({ dataDir, bucket: BUCKET, client: s3.client, progress })).toMatchObject({ uploaded: 0, skipped: 3 });
  writePhoto('media/originals/1/101', Buffer.concat([JPEG, Buffer.from('x')]));
  expect(await copyPhotos({ dataDir, bucket: BUCKET, client: s3.client, progress })).toMatchObject({ uploaded: 1, skipped: 2 });
});

test('the command shows progress and names a missing photo directory in one line', async () => {
  const run = promisify(execFile);
  const tsx = join(__dirname, '../../../node_modules/.bin/tsx');
  const cli = join(__dirname, '../../../tools/photos-to-s3/cli.ts');
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
  const { stderr } = await run(tsx, [cli, '--bucket', BUCKET, '--data-dir', dataDir, '--endpoint', s3.endpoint], { env });
  expect(stderr).toMatch(/photos: 0\/3/);
  expect(stderr).toMatch(/3 files: 3 uploaded/);
  const failed = await run(tsx, [cli, '--bucket', BUCKET, '--data-dir', join(dataDir, 'nope')], { env }).catch((e) => e);
  expect(failed.code).toBe(2);
  expect(failed.stderr.trim()).toBe(`photos-to-s3: no photo directory at ${join(dataDir, 'nope', 'media')} (pass --data-dir <DATA_DIR>)`);
});
