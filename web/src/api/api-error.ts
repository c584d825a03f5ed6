/** An API failure with a message fit to show a person (never raw JSON). */
export class ApiError extends Error {
  constructor(
    /** HTTP status, or 0 when the request never got an answer. */
    readonly status: number,
    /** Machine code from `{"error":{"code"}}`, or a client-side one. */
    readonly code: string,
    message: string,
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
  rate_limited: 'Too many requests. Wait a moment and try again.',
};

function statusMessage(status: number): string {
  if (status === 0) return 'Cannot reach the server. Check your connection and try again.';
  if (status === 401) return 'Please sign in again.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 413) return 'That file is too large.';
  if (status === 415) return 'That file type is not supported.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status === 503) return 'The service is busy or restarting. Please try again in a moment.';
  if (status >= 500) return 'Something went wrong on our side. Please try again.';
  return `The request failed (HTTP ${status}).`;
}

/**
 * Turns a failed response body (any text, JSON or not) into an ApiError whose
 * message is readable: the contract's `{"error":{"code","message"}}` when the
 * body has it, a message for the status otherwise.
 */
export function toApiError(status: number, bodyText: string): ApiError {
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
  const message = MESSAGES[code] ?? (fromServer || statusMessage(status));
  return new ApiError(status, code, message);
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
