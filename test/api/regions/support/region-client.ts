import { call, type ApiResponse } from '../../support/http';

/**
 * One user's client across regions, as a browser behaves: it keeps the
 * cookies the API sets (the `graminsta_wal` write positions) and sends them
 * with every request, to whichever region it talks to.
 */
export class RegionClient {
  private readonly cookies = new Map<string, string>();
  token: string | undefined;

  /** The cookie header this client sends. */
  get cookie(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async call<T = any>(base: string, method: string, path: string, options: { body?: unknown; raw?: BodyInit; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const response = await call<T>(base, method, path, {
      ...options,
      token: this.token,
      headers: { ...options.headers, ...(this.cookies.size ? { cookie: this.cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  }

  /** Signs up and logs in (both wherever `base` sends them). */
  async signUp(base: string, username: string, password = 'correct horse battery'): Promise<string> {
    const created = await this.call(base, 'POST', '/api/users', { body: { username, password } });
    if (created.status !== 201) throw new Error(`sign-up failed: ${created.status} ${JSON.stringify(created.body)}`);
    const session = await this.call(base, 'POST', '/api/sessions', { body: { username, password } });
    if (session.status !== 201) throw new Error(`log-in failed: ${session.status} ${JSON.stringify(session.body)}`);
    this.token = session.body.token;
    return created.body.id;
  }
}
