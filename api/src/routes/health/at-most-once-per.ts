/**
 * `run` at most once per `intervalMs`: callers while it runs share its
 * promise, and callers within `intervalMs` after it settled get its result.
 * However many requests arrive, `run` itself never runs twice at once and
 * starts at most once per interval (measured from when the last run settled,
 * so a slow run does not make the next one start straight away).
 */
export function atMostOncePer<T>(intervalMs: number, run: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let last: { readonly value: T; readonly at: number } | undefined;
  return () => {
    if (running) return running;
    if (last && Date.now() - last.at < intervalMs) return Promise.resolve(last.value);
    running = run()
      .then((value) => {
        last = { value, at: Date.now() };
        return value;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}
