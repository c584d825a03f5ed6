import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, expectError, newUser } from '../support/http';
import { startLocalS3, type LocalS3 } from '../../support/local-s3';
import { startTestApp, type TestApp } from '../../support/api-server';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 3)]);

describe('photos in S3 (s3rver)', () => {
  let pg: TestPostgres;
  let s3: LocalS3;
  let client: S3Client;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    pg = await startPostgres();
    s3 = await startLocalS3();
    // The SDK reads credentials from the environment, as on an instance it reads the role.
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    await pg?.stop();
    process.env = savedEnv;
  });

  const exists = (key: string) =>
    client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key })).then(
      () => true,
      () => false,
    );

  describe('presigned mode (10k and up)', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({
        DATABASE_URL: await pg.createDatabase(),
        UPLOADS_BUCKET: s3.bucket,
        UPLOAD_MODE: 'presigned',
        S3_ENDPOINT: s3.endpoint,
        AWS_REGION: 'us-east-1',
        // Stands in for the CDN: the bucket's own URL.
        MEDIA_BASE_URL: `${s3.endpoint}/${s3.bucket}/`,
      });
    });
    afterAll(async () => api?.close());

    test('create → presigned POST (policy limits type and size) → browser-style multipart upload → ready and served from MEDIA_BASE_URL', async () => {
      const user = await newUser(api.url);
      const created = await call(api.url, 'POST', '/api/photos', { token: user.token, body: { caption: 'cdn', contentType: 'image/png', size: PNG.length } });
      expect(created.status).toBe(201);
      const { photo, upload } = created.body;
      const key = `media/originals/${user.id}/${photo.id}`;
      expect(photo.url).toBe(`${s3.endpoint}/${s3.bucket}/${key}`);
      expect(photo.status).toBe('pending');
      expect(upload.method).toBe('POST');
      expect(upload.url).toBe(`${s3.endpoint}/${s3.bucket}`);
      expect(upload.fields).toMatchObject({ key, 'Content-Type': 'image/png', 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' });
      expect(upload.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);

      const policy = JSON.parse(Buffer.from(upload.fields.Policy, 'base64').toString('utf8'));
      expect(policy.conditions).toEqual(
        expect.arrayContaining([
          ['content-length-range', 1, PNG.length],
          ['eq', '$Content-Type', 'image/png'],
          { bucket: s3.bucket },
          { key },
        ]),
      );
      const expiresIn = Date.parse(policy.expiration) - Date.now();
      expect(expiresIn).toBeGreaterThan(0);
      expect(expiresIn).toBeLessThanOrEqual(600_000);

      // Not uploaded yet: still pending.
      expect((await call(api.url, 'GET', `/api/photos/${photo.id}`)).body.status).toBe('pending');

      // Exactly what a browser does: multipart form, the policy's fields first, the file last.
      const form = new FormData();
      for (const [name, value] of Object.entries(upload.fields as Record<string, string>)) form.append(name, value);
      form.append('file', new Blob([PNG], { type: 'image/png' }), 'photo.png');
      const posted = await fetch(upload.url, { method: 'POST', body: form });
      expect(posted.status).toBeLessThan(300);
      expect(await exists(key)).toBe(true);

      // The API marks the photo ready on its first read after the bytes exist.
      const read = await call(api.url, 'GET', `/api/photos/${photo.id}`);
      expect(read.body.status).toBe('ready');
      const served = await fetch(read.body.url);
      expect(served.status).toBe(200);
      expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);
      // The API's content route streams the same bytes from S3.
      const viaApi = await fetch(`${api.url}/api/photos/${photo.id}/content`);
      expect(viaApi.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await viaApi.arrayBuffer())).toEqual(PNG);
    });

    test('uploading through the API is refused in presigned mode; deleting the photo deletes the object', async () => {
      const user = await newUser(api.url);
      const { body } = await call(api.url, 'POST', '/api/photos', { token: user.token, body: { caption: '', contentType: 'image/png', size: PNG.length } });
      expectError(
        await call(api.url, 'PUT', `/api/photos/${body.photo.id}/content`, { token: user.token, raw: PNG, headers: { 'content-type': 'image/png' } }),
        409,
        'use_presigned_upload',
      );
      const form = new FormData();
      for (const [name, value] of Object.entries(body.upload.fields as Record<string, string>)) form.append(name, value);
      form.append('file', new Blob([PNG], { type: 'image/png' }), 'p.png');
      await fetch(body.upload.url, { method: 'POST', body: form });
      const key = `media/originals/${user.id}/${body.photo.id}`;
      expect(await exists(key)).toBe(true);
      expect((await call(api.url, 'DELETE', `/api/photos/${body.photo.id}`, { token: user.token })).status).toBe(204);
      expect(await exists(key)).toBe(false);
    });
  });

  describe('proxy mode (1k)', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({
        DATABASE_URL: await pg.createDatabase(),
        UPLOADS_BUCKET: s3.bucket,
        UPLOAD_MODE: 'proxy',
        S3_ENDPOINT: s3.endpoint,
        AWS_REGION: 'us-east-1',
      });
    });
    afterAll(async () => api?.close());

    test('the client PUTs bytes to the API, which stores them in S3 and serves them back', async () => {
      const user = await newUser(api.url);
      const { body } = await call(api.url, 'POST', '/api/photos', { token: user.token, body: { caption: 'proxy', contentType: 'image/png', size: PNG.length } });
      expect(body.upload).toEqual({ method: 'PUT', url: `/api/photos/${body.photo.id}/content`, headers: { 'Content-Type': 'image/png' } });
      const put = await call(api.url, 'PUT', `/api/photos/${body.photo.id}/content`, { token: user.token, raw: PNG, headers: body.upload.headers });
      expect(put.status).toBe(204);
      const stored = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `media/originals/${user.id}/${body.photo.id}` }));
      expect(Buffer.from(await stored.Body!.transformToByteArray())).toEqual(PNG);
      expect(stored.ContentType).toBe('image/png');
      const read = await call(api.url, 'GET', `/api/photos/${body.photo.id}`);
      expect(read.body.status).toBe('ready');
      const served = await fetch(new URL(read.body.url, api.url));
      expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);
    });

    test('an upload over the declared size is refused with 413 and nothing reaches the bucket', async () => {
      const user = await newUser(api.url);
      const { body } = await call(api.url, 'POST', '/api/photos', { token: user.token, body: { caption: '', contentType: 'image/png', size: 100 } });
      expectError(await call(api.url, 'PUT', `/api/photos/${body.photo.id}/content`, { token: user.token, raw: PNG, headers: { 'content-type': 'image/png' } }), 413);
      expect(await exists(`media/originals/${user.id}/${body.photo.id}`)).toBe(false);
    });
  });
});
