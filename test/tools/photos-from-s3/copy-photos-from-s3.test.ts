import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { copyPhotosFromS3 } from '../../../tools/photos-from-s3/copy-photos-from-s3';
import { copyPhotos } from '../../../tools/photos-to-s3/copy-photos';
import { createProgress } from '../../../tools/lib/progress';
import { startLocalS3, type LocalS3 } from '../../support/local-s3';

const BUCKET = 'uploads';
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(5000, 7)]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(3000, 1)]);
const silent = createProgress({ silent: true });
let s3: LocalS3;
let dataDir: string;

const put = (key: string, body: Buffer) => s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

/** Every file under the directory, relative to it, with its bytes. */
function files(dir: string): Record<string, Buffer> {
  const found: Record<string, Buffer> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(d, entry.name));
      else found[relative(dir, join(d, entry.name))] = readFileSync(join(d, entry.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

beforeAll(async () => {
  s3 = await startLocalS3({ buckets: [BUCKET] });
});
afterAll(async () => s3?.stop());
beforeEach(async () => {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  const keys = (listed.Contents ?? []).map((o) => o.Key!);
  if (keys.length > 0) await s3.client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
  dataDir = mkdtempSync(join(tmpdir(), 'graminsta-data-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

test('copies every photo file of the bucket (originals and thumbnails) to the same path under DATA_DIR, and nothing outside media/', async () => {
  await put('media/originals/1/101', JPEG);
  await put('media/thumbnails/1/101', JPEG.subarray(0, 800));
  await put('media/originals/2/201', PNG);
  await put('exports/report.csv', Buffer.from('not a photo'));
  const result = await copyPhotosFromS3({ bucket: BUCKET, dataDir, client: s3.client, progress: silent });
  expect(result).toEqual({ objects: 3, downloaded: 3, skipped: 0, bytesDownloaded: JPEG.length + 800 + PNG.length });
  expect(files(dataDir)).toEqual({ 'media/originals/1/101': JPEG, 'media/thumbnails/1/101': JPEG.subarray(0, 800), 'media/originals/2/201': PNG });
});

test('a second run downloads nothing; a file that differs from its object is downloaded again; no temporary file is left', async () => {
  await put('media/originals/1/101', JPEG);
  await put('media/originals/1/102', PNG);
  await copyPhotosFromS3({ bucket: BUCKET, dataDir, client: s3.client, progress: silent });
  expect(await copyPhotosFromS3({ bucket: BUCKET, dataDir, client: s3.client, progress: silent })).toMatchObject({ downloaded: 0, skipped: 2 });
  // Same size, other bytes: only the MD5 tells them apart.
  writeFileSync(join(dataDir, 'media/originals/1/102'), Buffer.alloc(PNG.length, 9));
  expect(await copyPhotosFromS3({ bucket: BUCKET, dataDir, client: s3.client, progress: silent })).toMatchObject({ downloaded: 1, skipped: 1 });
  expect(files(dataDir)).toEqual({ 'media/originals/1/101': JPEG, 'media/originals/1/102': PNG });
});

test('photos-to-s3 and back: a data directory copied to the bucket and then into an empty one holds the same photo files', async () => {
  const source = mkdtempSync(join(tmpdir(), 'graminsta-source-'));
  try {
    for (const [key, body] of Object.entries({ 'media/originals/1/101': JPEG, 'media/thumbnails/1/101': JPEG.subarray(0, 900), 'media/originals/3/301': PNG })) {
      mkdirSync(join(source, key, '..'), { recursive: true });
      writeFileSync(join(source, key), body);
    }
    await copyPhotos({ dataDir: source, bucket: BUCKET, client: s3.client, progress: silent });
    await copyPhotosFromS3({ bucket: BUCKET, dataDir, client: s3.client, progress: silent });
    expect(files(dataDir)).toEqual(files(source));
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
});

test('the command prints what it copied, and names a missing data directory in one line (exit 2)', async () => {
  await put('media/originals/1/101', JPEG);
  const run = promisify(execFile);
  const tsx = join(__dirname, '../../../node_modules/.bin/tsx');
  const cli = join(__dirname, '../../../tools/photos-from-s3/cli.ts');
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
  const { stderr } = await run(tsx, [cli, '--bucket', BUCKET, '--data-dir', dataDir, '--endpoint', s3.endpoint], { env });
  expect(stderr).toContain(`photos-from-s3: 1 objects: 1 downloaded (0.0 MiB), 0 already in ${dataDir}`);
  const failed = await run(tsx, [cli, '--bucket', BUCKET, '--data-dir', join(dataDir, 'nope')], { env }).catch((e) => e);
  expect(failed.code).toBe(2);
  expect(failed.stderr.trim()).toBe(`photos-from-s3: no directory at ${join(dataDir, 'nope')} (mount the data volume there, or pass --data-dir <DATA_DIR>)`);
});
