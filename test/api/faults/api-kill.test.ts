import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApi, type RunningApi } from '../../support/api-server';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { call, newUser } from '../support/http';
import { sleep, SteadyTraffic, stopAllTraffic, summarize, verify } from './traffic';

/**
 * Fault test (issue 14): the API SIGKILLed in the middle of an upload under
 * steady traffic, then started again on the same port, data directory and
 * database. No acknowledged write is lost; the killed upload's part file is
 * swept and its photo can be uploaded again (its claim is taken over once
 * older than REQUEST_TIMEOUT_MS + 10 s, which only a dead request's can be);
 * counters equal COUNT(*), no file without its photo.
 */
describe('the API killed mid-upload and restarted', () => {
  let pg: TestPostgres;
  let dataDir: string;
  let api: RunningApi;
  // A short request timeout, so the killed upload's claim and part file are stale (12 s) within the test.
  const env = { LOG_LEVEL: 'error', REQUEST_TIMEOUT_MS: '2000' };

  beforeAll(async () => {
    pg = await startPostgres();
    dataDir = mkdtempSync(join(tmpdir(), 'graminsta-faults-kill-'));
    api = await startApi({ databaseUrl: pg.url, dataDir, env });
  });
  afterEach(stopAllTraffic);
  afterAll(async () => {
    await api?.stop();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const parts = () => {
    const incoming = join(dataDir, 'media', '.incoming');
    return existsSync(incoming) ? readdirSync(incoming) : [];
  };

  test('API SIGKILLed mid-upload and restarted', async () => {
    const owner = await newUser(api.url);
    const bytes = Buffer.alloc(1024 * 1024, 5);
    const { photo } = (await call(api.url, 'POST', '/api/photos', { token: owner.token, body: { caption: 'cut', contentType: 'image/png', size: bytes.length } })).body;
    const traffic = new SteadyTraffic(() => api.url);
    await traffic.prepare();
    traffic.start();
    await sleep(1_500);

    // Half of a 1 MiB upload, and the process killed while it waits for the rest.
    const { port } = new URL(api.url);
    const halfSent = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: `/api/photos/${photo.id}/content`, headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'image/png', 'content-length': bytes.length } });
    halfSent.on('error', () => undefined);
    halfSent.write(bytes.subarray(0, bytes.length / 2));
    while (parts().length === 0) await sleep(20);
    const faultStart = Date.now();
    process.kill(api.pid, 'SIGKILL');
    expect(await api.exited).toBeNull();
    api = await startApi({ databaseUrl: pg.url, dataDir, env, port: Number(port) });
    const back = Date.now();
    await sleep(6_000);
    await traffic.stop();

    // The killed upload: refused while its claim could still be a live request's, then accepted.
    let retry = await call(api.url, 'PUT', `/api/photos/${photo.id}/content`, { token: owner.token, raw: bytes, headers: { 'content-type': 'image/png' } });
    const deadline = Date.now() + 30_000;
    while (retry.status === 409 && Date.now() < deadline) {
      await sleep(500);
      retry = await call(api.url, 'PUT', `/api/photos/${photo.id}/content`, { token: owner.token, raw: bytes, headers: { 'content-type': 'image/png' } });
    }
    expect(retry.status).toBe(204);
    // Its part file (and those of traffic uploads the kill cut) swept by the restarted process.
    while (parts().length > 0 && Date.now() < deadline) await sleep(250);

    const { lost, inconsistent } = await verify(pg.url, dataDir, traffic.ledger);
    const report = summarize('API SIGKILLed mid-upload and restarted', traffic, faultStart, back, lost.length);
    // While the process is down requests find no server ('network'); none of its answers is a 5xx.
    expect(Object.keys(report.byStatus).filter((status) => !['200', '201', '204', 'network'].includes(status))).toEqual([]);
    expect(report.recoveryMs).toBeLessThanOrEqual(5_000);
    expect(lost).toEqual([]);
    expect(inconsistent).toEqual([]);
  }, 120_000);
});
