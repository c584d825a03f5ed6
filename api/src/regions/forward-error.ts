/** A request forwarded to the home region that got no answer (`sent`: it was sent in full, so home may have acted on it). */
export class ForwardError extends Error {
  constructor(
    message: string,
    readonly sent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ForwardError';
  }
}
