import { randomBytes } from 'node:crypto';

/** A 1×1 PNG: real image bytes for an upload. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** Where to send API requests, with the headers CloudFront would add (the origin secret). */
export interface ApiTarget {
  readonly base: string;
  readonly headers: Readonly<Record<string, string>>;
}

async function call(url: string, init: RequestInit & { expect: number }): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  if (response.status !== init.expect) throw new Error(`${init.method ?? 'GET'} ${url}: expected ${init.expect}, got ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export interface SignedUpUser {
  readonly id: string;
  readonly username: string;
  readonly token: string;
}

/** Signs a new user up and in through the API. */
export async function signUp(api: ApiTarget): Promise<SignedUpUser> {
  const username = `boot_${randomBytes(5).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const json = { ...api.headers, 'content-type': 'application/json' };
  const user = await call(`${api.base}/api/users`, { method: 'POST', headers: json, body: JSON.stringify({ username, password }), expect: 201 });
  const session = await call(`${api.base}/api/sessions`, { method: 'POST', headers: json, body: JSON.stringify({ username, password }), expect: 201 });
  return { id: user.id, username, token: session.token };
}

/** Creates a photo and uploads its bytes through the API's own upload route (proxy or local storage). */
export async function uploadPhoto(api: ApiTarget, user: SignedUpUser, bytes: Buffer = TINY_PNG): Promise<string> {
  const auth = { ...api.headers, authorization: `Bearer ${user.token}` };
  const created = await call(`${api.base}/api/photos`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ caption: 'boot test', contentType: 'image/png', size: bytes.length }),
    expect: 201,
  });
  // The upload URL may name the API's origin as a client would see it; send it to the instance itself.
  const path = new URL(created.upload.url, api.base).pathname;
  await call(`${api.base}${path}`, { method: 'PUT', headers: { ...auth, 'content-type': 'image/png' }, body: new Uint8Array(bytes), expect: 204 });
  return created.photo.id;
}

export async function getJson(api: ApiTarget, path: string, expect = 200): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return call(`${api.base}${path}`, { method: 'GET', headers: api.headers, expect });
}

export async function getBytes(api: ApiTarget, path: string): Promise<Buffer> {
  const response = await fetch(`${api.base}${path}`, { headers: api.headers, signal: AbortSignal.timeout(15_000) });
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return Buffer.from(await response.arrayBuffer());
}
