import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { startApi, type RunningApi } from '../support/api-server';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { buildWebClient } from '../../build/web-client';
import { describeWithChromium, launchChromium } from './support/chromium';
import { startLocalS3, type LocalS3 } from '../support/local-s3';
import { makeTestPng } from './support/test-image';
import { expectImageLoaded, signUp, uploadPhoto, watchErrors } from './support/ui';

/**
 * Stage 10k and up: the browser uploads straight to the bucket with the
 * presigned POST from `POST /api/photos` (here s3rver, a real S3-compatible
 * server on another origin) and images come from MEDIA_BASE_URL (the CDN;
 * here the bucket's URL).
 */
describeWithChromium('web client with presigned uploads (chromium, real API, s3rver)', () => {
  jest.setTimeout(120_000);

  let postgres: TestPostgres;
  let s3: LocalS3;
  let api: RunningApi;
  let browser: Browser;
  let page: Page;
  let work: string;
  const errors: string[] = [];
  const requests: Request[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'graminsta-web-presigned-'));
    const webRoot = join(work, 'web');
    buildWebClient(webRoot);
    postgres = await startPostgres();
    // The page's origin is only known once the API listens; "*" stands in for the site's domain.
    s3 = await startLocalS3({ corsOrigin: '*' });
    api = await startApi({
      databaseUrl: postgres.url,
      webRoot,
      dataDir: join(work, 'data'),
      env: {
        UPLOADS_BUCKET: s3.bucket,
        UPLOAD_MODE: 'presigned',
        S3_ENDPOINT: s3.endpoint,
        MEDIA_BASE_URL: `${s3.endpoint}/${s3.bucket}/`,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
      },
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1024, height: 800 } })).newPage();
    watchErrors(page, errors);
    page.on('request', (request) => requests.push(request));
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await s3?.stop();
    await postgres?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('the photo goes to the bucket as a multipart POST with progress, without the session token, and shows from the media URL', async () => {
    await page.goto(`${api.url}/#/sign-in`);
    await signUp(page, `carol_${Date.now().toString(36).slice(-5)}`);
    const progress = await uploadPhoto(page, await makeTestPng(480, 0.4), 'Straight to the bucket');
    expect(Math.max(...progress)).toBe(1);

    const toBucket = requests.filter((r) => r.url().startsWith(s3.endpoint) && r.method() === 'POST');
    expect(toBucket).toHaveLength(1);
    const headers = await toBucket[0].allHeaders();
    expect(headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(headers.authorization).toBeUndefined();
    // Nothing went through the API's own upload route.
    expect(requests.filter((r) => r.url().includes('/content') && r.method() === 'PUT')).toHaveLength(0);

    const src = await page.locator('article:first-of-type img').getAttribute('src');
    expect(src).toMatch(new RegExp(`^${s3.endpoint}/${s3.bucket}/media/`));
    await expectImageLoaded(page, 'article:first-of-type img');
    expect(errors).toEqual([]);
  });

  test('a photo whose bytes have not arrived shows as processing, not as a broken image', async () => {
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('graminsta.session')!).token as string);
    const created = await fetch(`${api.url}/api/photos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ caption: 'Still on its way', contentType: 'image/png', size: 1000 }),
    });
    expect(created.status).toBe(201);
    await page.reload();
    const card = page.getByRole('article').filter({ hasText: 'Still on its way' });
    await card.getByRole('img', { name: 'Photo still processing', exact: true }).waitFor();
    expect(await card.locator('img').count()).toBe(0);
  });
});
