import { ApiError, describeError, retryAfterSeconds, toApiError } from '../../../../web/src/api/api-error';

describe('toApiError', () => {
  test('uses the contract error body: code kept, message readable', () => {
    const error = toApiError(400, JSON.stringify({ error: { code: 'bad_request', message: 'caption is too long' } }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe('bad_request');
    expect(error.message).toBe('Caption is too long.');
  });

  test('validation messages lose the request-part prefix and read as a sentence', () => {
    const body = '{"error":{"code":"invalid_request","message":"body/password must NOT have fewer than 8 characters"}}';
    expect(toApiError(400, body).message).toBe('Password must not have fewer than 8 characters.');
  });

  test('server errors never show the server text', () => {
    expect(toApiError(500, '{"error":{"code":"internal_error","message":"internal error"}}').message).toBe(
      'Something went wrong on our side. Please try again.',
    );
    expect(toApiError(503, '{"error":{"code":"unavailable","message":"a backing service is unavailable, retry shortly"}}').message).toBe(
      'The service is busy or restarting. Please try again in a moment.',
    );
  });

  test('known codes get friendlier words', () => {
    expect(toApiError(409, '{"error":{"code":"username_taken","message":"username taken"}}').message).toBe(
      'That username is taken. Try another one.',
    );
    expect(toApiError(401, '{"error":{"code":"invalid_credentials","message":"x"}}').message).toBe('Wrong username or password.');
  });

  test.each([
    [502, '<html><body>Bad Gateway</body></html>', 'Something went wrong on our side. Please try again.'],
    [403, '<?xml version="1.0"?><Error><Code>AccessDenied</Code></Error>', 'You are not allowed to do that.'],
    [413, '', 'That file is too large.'],
    [418, 'null', 'The request failed (HTTP 418).'],
  ])('a %d with a non-contract body never shows raw text', (status, body, message) => {
    const error = toApiError(status, body);
    expect(error.message).toBe(message);
    expect(error.message).not.toMatch(/[<{]/);
  });
});

describe('how long to wait (Retry-After)', () => {
  const limited = '{"error":{"code":"rate_limited","message":"too many log-in attempts"}}';

  test.each([
    ['42', 'Too many attempts. Try again in 42 seconds.'],
    ['1', 'Too many attempts. Try again in a second.'],
    ['600', 'Too many attempts. Try again in 10 minutes.'],
    ['7200', 'Too many attempts. Try again in about 2 hours.'],
  ])('a 429 with Retry-After %s says: %s', (header, message) => {
    const error = toApiError(429, limited, header);
    expect(error.message).toBe(message);
    expect(error.retryAfterSeconds).toBe(Number(header));
  });

  test('a 503 with Retry-After says how long too; without the header, a moment', () => {
    expect(toApiError(503, '{"error":{"code":"busy","message":"x"}}', '3').message).toBe('The service is busy or restarting. Try again in 3 seconds.');
    expect(toApiError(429, limited).message).toBe('Too many attempts. Wait a moment and try again.');
    expect(toApiError(429, limited, 'soon').message).toBe('Too many attempts. Wait a moment and try again.');
  });

  test('an HTTP-date Retry-After counts from now', () => {
    const now = Date.parse('2026-11-25T12:00:00Z');
    expect(retryAfterSeconds('Wed, 25 Nov 2026 12:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });
});

describe('describeError', () => {
  test('network failures (fetch TypeError) read as a connection problem', () => {
    expect(describeError(new TypeError('Failed to fetch'))).toMatch(/Cannot reach the server/);
  });

  test('unknown throwables get a generic message, not their internals', () => {
    expect(describeError(new Error('x is undefined'))).toBe('Something went wrong. Please try again.');
  });
});
