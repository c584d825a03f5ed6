import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, expectError, newUser } from '../support/http';
import { startTestApp, type TestApp } from '../../support/api-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true (or fails after `timeoutMs`). */
async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

/**
 * An upload whose body is sent in two halves, the second only when asked:
 * so a test can act (delete the photo, cut the connection) while it is in flight.
 */
function splitUpload(base: string, token: string, photoId: string, bytes: Buffer) {
  const { port } = new URL(base);
  let answer: (value: { status: number; body: string } | 'cut') => void = () => undefined;
  const done = new Promise<{ status: number; body: string } | 'cut'>((resolve) => (answer = resolve));
  const request = httpRequest(
    { host: '127.0.0.1', port, method: 'PUT', path: `/api/photos/${photoId}/content`, headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png', 'content-length': bytes.length } },
    (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => answer({ status: response.statusCode ?? 0, body }));
    },
  );
  request.on('error', () => answer('cut'));
  request.write(bytes.subarray(0, bytes.length / 2));
  return {
    done,
    finish: () => request.end(bytes.subarray(bytes.length / 2)),
    cut: () => request.destroy(),
  };
}

/** Issue 14, defect 8: one upload per photo wins, and nothing is left behind by a race, a cut or a kill. */
describe('uploads to local storage', () => {
  let pg: TestPostgres;
  let api: TestApp;
  let dataDir: string;
  const incoming = () => join(dataDir, 'media', '.incoming');
  const partFiles = () => (existsSync(incoming()) ? readdirSync(incoming()) : []);

  beforeAll(async () => {
    pg = await startPostgres();
    dataDir = mkdtempSync(join(tmpdir(), 'graminsta-uploads-'));
    // A part file a killed process left an hour ago: the start-up sweep removes it.
    mkdirSync(incoming(), { recursive: true });
    writeFileSync(join(incoming(), 'killed.part'), 'half an upload');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(incoming(), 'killed.part'), anHourAgo, anHourAgo);
    api = await startTestApp({ DATABASE_URL: pg.url, DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function pendingPhoto(size: number) {
    const owner = await newUser(api.url);
    const created = await call(api.url, 'POST', '/api/photos', { token: owner.token, body: { caption: '', contentType: 'image/png', size } });
    return { owner, id: created.body.photo.id as string };
  }

  test('part files of a killed process are removed at start', async () => {
    await eventually(() => !partFiles().includes('killed.part'));
  });

  test('ten concurrent uploads of one photo: exactly one is stored, the other nine get 409, and the winner’s bytes are served', async () => {
    const size = 256 * 1024;
    const { owner, id } = await pendingPhoto(size);
    const bodies = Array.from({ length: 10 }, (_, i) => Buffer.alloc(size, i + 1));
    const answers = await Promise.all(
      bodies.map((raw) => call(api.url, 'PUT', `/api/photos/${id}/content`, { token: owner.token, raw, headers: { 'content-type': 'image/png' } })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(9);
    for (const refused of answers.filter((answer) => answer.status === 409)) expect(['upload_in_progress', 'already_uploaded']).toContain(refused.body.error.code);
    const served = Buffer.from(await (await fetch(`${api.url}/api/photos/${id}/content`)).arrayBuffer());
    expect(served).toEqual(bodies[statuses.indexOf(204)]);
    await eventually(() => partFiles().length === 0);
  });

  test('an upload racing a delete: the delete wins, the upload gets 404 and its bytes are removed', async () => {
    const bytes = Buffer.alloc(128 * 1024, 9);
    const { owner, id } = await pendingPhoto(bytes.length);
    const upload = splitUpload(api.url, owner.token, id, bytes);
    await eventually(() => partFiles().length > 0);
    expect((await call(api.url, 'DELETE', `/api/photos/${id}`, { token: owner.token })).status).toBe(204);
    upload.finish();
    const answer = await upload.done;
    expect(answer).toEqual({ status: 404, body: expect.stringContaining('"not_found"') });
    expect(existsSync(join(dataDir, 'media', 'originals', owner.id, id))).toBe(false);
    expect(partFiles()).toEqual([]);
    expect((await call(api.url, 'GET', `/api/users/${owner.id}`)).body.photoCount).toBe(0);
  });

  test('an upload cut off mid-body leaves no part file and no claim: the retry is stored at once', async () => {
    const bytes = Buffer.alloc(128 * 1024, 3);
    const { owner, id } = await pendingPhoto(bytes.length);
    const upload = splitUpload(api.url, owner.token, id, bytes);
    await eventually(() => partFiles().length > 0);
    upload.cut();
    await upload.done;
    await eventually(() => partFiles().length === 0);
    let retry = await call(api.url, 'PUT', `/api/photos/${id}/content`, { token: owner.token, raw: bytes, headers: { 'content-type': 'image/png' } });
    // The server may notice the cut a moment after the part file is gone.
    for (let i = 0; retry.status === 409 && i < 20; i++) {
      await sleep(100);
      retry = await call(api.url, 'PUT', `/api/photos/${id}/content`, { token: owner.token, raw: bytes, headers: { 'content-type': 'image/png' } });
    }
    expect(retry.status).toBe(204);
    expect(Buffer.from(await (await fetch(`${api.url}/api/photos/${id}/content`)).arrayBuffer())).toEqual(bytes);
  });

  test('a pending photo is not served (its file could still be replaced, and served bytes are cached for a year)', async () => {
    const { id } = await pendingPhoto(10);
    expectError(await call(api.url, 'GET', `/api/photos/${id}/content`), 404, 'not_uploaded');
  });

  test('a photo whose bytes never arrive is removed after PENDING_PHOTO_TTL_MS, and no longer counted', async () => {
    // An app of its own: a TTL this short would sweep the other tests' photos between their steps.
    const shortLived = await startTestApp({ DATABASE_URL: await pg.createDatabase(), DATA_DIR: dataDir, PENDING_PHOTO_TTL_MS: '1500' });
    try {
      await abandonedPhotoIsRemoved(shortLived);
    } finally {
      await shortLived.close();
    }
  });
});

/** Creates one photo left pending and one uploaded; only the first goes once PENDING_PHOTO_TTL_MS has passed. */
async function abandonedPhotoIsRemoved(api: TestApp): Promise<void> {
  const owner = await newUser(api.url);
  const create = () => call(api.url, 'POST', '/api/photos', { token: owner.token, body: { caption: '', contentType: 'image/png', size: 4 } });
  const abandoned = (await create()).body.photo.id as string;
  const kept = (await create()).body.photo.id as string;
  expect((await call(api.url, 'PUT', `/api/photos/${kept}/content`, { token: owner.token, raw: new Uint8Array([1, 2, 3, 4]), headers: { 'content-type': 'image/png' } })).status).toBe(204);
  expect((await call(api.url, 'GET', `/api/users/${owner.id}`)).body.photoCount).toBe(2);
  await eventually(async () => (await call(api.url, 'GET', `/api/photos/${abandoned}`)).status === 404);
  expect((await call(api.url, 'GET', `/api/users/${owner.id}`)).body.photoCount).toBe(1);
  expect((await call(api.url, 'GET', `/api/photos/${kept}`)).body.status).toBe('ready');
}
