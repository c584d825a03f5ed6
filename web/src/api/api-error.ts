/** An API failure with a message fit to show a person (never raw JSON). */
export class ApiError extends Error {
  constructor(
    /** HTTP status, or 0 when the request never got an answer. */
    readonly status: number,
    /** Machine code from `{"error":{"code"}}`, or a client-side one. */
    readonly code: string,
    message: string,
    /** Seconds the server asked to wait before trying again (its Retry-After), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

// Friendlier words for the codes a person is most likely to meet; anything else
// falls back to the server's own message, then to a generic one per status.
const MESSAGES: Readonly<Record<string, string>> = {
  username_taken: 'That username is taken. Try another one.',
  invalid_credentials: 'Wrong username or password.',
  rate_limited: 'Too many attempts. Wait a moment and try again.',
};

/** Retry-After (seconds, or an HTTP date) as whole seconds from `now`; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** "in 42 seconds", "in 3 minutes", "in about 2 hours". */
function waitText(seconds: number): string {
  if (seconds <= 1) return 'in a second';
  if (seconds < 90) return `in ${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `in ${minutes} minutes`;
  return `in about ${Math.round(minutes / 60)} hours`;
}

/** How long to wait, in words, for a 429 or 503 that said (Retry-After). */
function waitMessage(status: number, seconds: number): string {
  return `${status === 429 ? 'Too many attempts' : 'The service is busy or restarting'}. Try again ${waitText(seconds)}.`;
}

function statusMessage(status: number): string {
  if (status === 0) return 'Cannot reach the server. Check your connection and try again.';
  if (status === 401) return 'Please sign in again.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 413) return 'That file is too large.';
  if (status === 415) return 'That file type is not supported.';
  if (status === 429) return 'Too many attempts. Wait a moment and try again.';
  if (status === 503) return 'The service is busy or restarting. Please try again in a moment.';
  if (status >= 500) return 'Something went wrong on our side. Please try again.';
  return `The request failed (HTTP ${status}).`;
}

/**
 * Turns a failed response body (any text, JSON or not) into an ApiError whose
 * message is readable: the contract's `{"error":{"code","message"}}` when the
 * body has it, a message for the status otherwise. A 429 or 503 with
 * Retry-After says how long to wait.
 */
export function toApiError(status: number, bodyText: string, retryAfter?: string | null): ApiError {
  let code = `http_${status}`;
  let serverMessage = '';
  try {
    const parsed: unknown = JSON.parse(bodyText);
    const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (error && typeof error.code === 'string') code = error.code;
    if (error && typeof error.message === 'string') serverMessage = error.message.trim();
  } catch {
    // Not JSON (a proxy's HTML error page, S3's XML): the status speaks instead.
  }
  // Server errors say nothing useful to a person ("internal error"); client errors explain the input.
  const fromServer = status >= 400 && status < 500 ? sentence(serverMessage) : '';
  const wait = status === 429 || status === 503 ? retryAfterSeconds(retryAfter) : undefined;
  const message = wait !== undefined ? waitMessage(status, wait) : (MESSAGES[code] ?? (fromServer || statusMessage(status)));
  return new ApiError(status, code, message, wait);
}

/**
 * Makes a server's terse message a sentence: validation messages name the
 * request part ("body/password must NOT have fewer than 8 characters").
 */
function sentence(text: string): string {
  const plain = text.replace(/^(body|querystring|params|headers)\//, '').replace(/\bNOT\b/g, 'not').trim();
  if (!plain) return '';
  const capitalised = plain.charAt(0).toUpperCase() + plain.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

/** A readable message for anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return statusMessage(0);
  return 'Something went wrong. Please try again.';
}
