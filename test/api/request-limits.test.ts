import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { MAX_UPLOAD_BYTES } from '../../contracts/photo-uploads';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { call, expectError, newUser } from './support/http';
import { startTestApp, type TestApp } from '../support/api-server';

/** What came back on a raw connection: the status, the body, and whether the server closed it. */
interface RawAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly closed: boolean;
}

/**
 * Writes `head` on a raw TCP connection, then `trickle` one byte every
 * `everyMs`, and collects what the server answers until it closes the
 * connection (or `boundMs` passes: then `closed` is false).
 */
function rawExchange(url: string, head: string, options: { trickle?: string; everyMs?: number; boundMs?: number } = {}): Promise<RawAnswer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(port) });
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearInterval(timer);
      clearTimeout(bound);
      socket.destroy();
      const [headText, ...rest] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headText)?.[1] ?? 0);
      const bodyText = rest.join('\r\n\r\n');
      let body: unknown = bodyText;
      try {
        body = JSON.parse(bodyText);
      } catch {
        // not JSON: kept as text
      }
      resolve({ status, body, closed });
    };
    const bound = setTimeout(() => finish(false), options.boundMs ?? 15_000);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => finish(true));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? finish(true) : reject(error)));
    socket.write(head);
    let sent = 0;
    const trickle = options.trickle ?? '';
    if (trickle) {
      timer = setInterval(() => {
        if (sent < trickle.length && socket.writable) socket.write(trickle[sent++]);
      }, options.everyMs ?? 200);
    }
  });
}

describe('request limits', () => {
  let pg: TestPostgres;
  let api: TestApp;
  beforeAll(async () => {
    pg = await startPostgres();
    api = await startTestApp({ DATABASE_URL: pg.url, REQUEST_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });

  describe('PUT /api/photos/:id/content (issue 14, defect 3)', () => {
    async function pendingPhoto() {
      const owner = await newUser(api.url);
      const created = await call(api.url, 'POST', '/api/photos', { token: owner.token, body: { caption: '', contentType: 'image/jpeg', size: MAX_UPLOAD_BYTES } });
      return { token: owner.token, id: created.body.photo.id as string };
    }

    test('refuses a JSON body with 415 without parsing it (a malformed one is not a 400 invalid_json)', async () => {
      const { token, id } = await pendingPhoto();
      const response = await call(api.url, 'PUT', `/api/photos/${id}/content`, { token, raw: '{"caption": ', headers: { 'content-type': 'application/json' } });
      expectError(response, 415, 'unsupported_media_type');
      expect((await call(api.url, 'GET', `/api/photos/${id}`)).body.status).toBe('pending');
    });

    test('answers a 10 MiB JSON body with 415 before the body has arrived', async () => {
      const { token, id } = await pendingPhoto();
      const { port } = new URL(api.url);
      const answer = await new Promise<{ status: number; body: string } | 'no answer while the body was withheld'>((resolve, reject) => {
        const request = httpRequest({
          host: '127.0.0.1',
          port,
          method: 'PUT',
          path: `/api/photos/${id}/content`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': 10 * 1024 * 1024 },
        });
        const bound = setTimeout(() => {
          request.destroy();
          resolve('no answer while the body was withheld');
        }, 10_000);
        request.on('response', (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => {
            clearTimeout(bound);
            request.destroy();
            resolve({ status: response.statusCode ?? 0, body });
          });
        });
        request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
        // 1 KiB of the declared 10 MiB, and no more: the rest never comes.
        request.write(`[${'1,'.repeat(511)}`);
      });
      expect(answer).toEqual({ status: 415, body: expect.stringContaining('"unsupported_media_type"') });
    });
  });

  describe('bodies that do not arrive (issue 14, defect 5)', () => {
    test('a body trickling in past REQUEST_TIMEOUT_MS gets 408 in the contract shape and its connection is closed', async () => {
      const head = 'POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n';
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => rawExchange(api.url, head, { trickle: '{"username":"slow_client","password":"x"'.padEnd(200, ' '), everyMs: 100 })),
      );
      for (const answer of answers) {
        expect(answer).toEqual({ status: 408, body: { error: { code: 'request_timeout', message: expect.any(String) } }, closed: true });
      }
    }, 30_000);
  });

  describe('errors of the HTTP parser (issue 14, defect 9)', () => {
    test('a malformed header gets 400 in the contract shape', async () => {
      const answer = await rawExchange(api.url, 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nNot a header\r\n\r\n');
      expect(answer).toEqual({ status: 400, body: { error: { code: 'bad_request', message: expect.any(String) } }, closed: true });
    });

    test('headers over the size limit get 431 in the contract shape', async () => {
      const answer = await rawExchange(api.url, `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(answer).toEqual({ status: 431, body: { error: { code: 'headers_too_large', message: expect.any(String) } }, closed: true });
    });

    test('a conflicting Content-Length and Transfer-Encoding gets 400 in the contract shape', async () => {
      const answer = await rawExchange(api.url, 'POST /api/users HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
      expect(answer).toEqual({ status: 400, body: { error: { code: 'bad_request', message: expect.any(String) } }, closed: true });
    });
  });
});
