/** An error the client caused or may see: status, machine code and message go into the error body. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Response headers that go with it (`Retry-After` on 429 and 503). */
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const unauthorized = () => new HttpError(401, 'unauthorized', 'a valid bearer token is required');
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const badRequest = (code: string, message: string) => new HttpError(400, code, message);

/** Seconds a client is told to wait when a backing service (PostgreSQL, Redis) does not answer. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/** 503 `unavailable` with `Retry-After`: a backing service is down; nothing was done, retrying later is safe. */
export const unavailable = (what: string, cause?: unknown) =>
  new HttpError(503, 'unavailable', `${what} unavailable, retry shortly`, { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) }, { cause });

/** 429 `rate_limited` with the seconds until the window that refused the request ends. */
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new HttpError(429, 'rate_limited', message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
