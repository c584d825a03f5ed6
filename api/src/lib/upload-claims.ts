/** Time an upload may take after its body arrived (stored, made ready): generous, the claim check makes it safe. */
const FINISH_MARGIN_MS = 10_000;

/**
 * Age after which an upload's claim (and its part file) belongs to a request
 * that cannot still be running: its body had REQUEST_TIMEOUT_MS to arrive,
 * plus the margin to be stored. Only a killed process leaves one this old.
 */
export function uploadClaimStaleMs(config: { readonly requestTimeoutMs: number }): number {
  return config.requestTimeoutMs + FINISH_MARGIN_MS;
}
