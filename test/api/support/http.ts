/** A tiny HTTP client for the API tests: JSON in, status + parsed body out. */
export interface ApiResponse<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export async function call<T = any>(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: BodyInit } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: BodyInit | undefined = options.raw;
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: response.status, body: parsed as T, headers: response.headers };
}

let counter = 0;
/** A username no other test uses. */
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix}_${process.pid % 10000}_${Date.now() % 100000}_${counter}`.slice(0, 30);
}

/** Signs up and logs in a fresh user. */
export async function newUser(base: string, prefix = 'u'): Promise<{ id: string; username: string; token: string }> {
  const username = uniqueName(prefix);
  const password = 'correct horse battery';
  const created = await call(base, 'POST', '/api/users', { body: { username, password } });
  if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${JSON.stringify(created.body)}`);
  const session = await call(base, 'POST', '/api/sessions', { body: { username, password } });
  if (session.status !== 201) throw new Error(`log-in failed: ${session.status} ${JSON.stringify(session.body)}`);
  return { id: created.body.id, username, token: session.body.token };
}

/** Expects the contract's error shape with this status (and code, when given). */
export function expectError(response: ApiResponse, status: number, code?: string): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: { error: { code: code ?? expect.any(String), message: expect.any(String) } },
  });
}
