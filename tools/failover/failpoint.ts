/**
 * Named points where `FAILOVER_FAILPOINT=<name>` makes the process stop and
 * wait to be killed, so the resume tests can SIGKILL the real tool at an exact
 * step: after the run state is first written, after the first shard's
 * promotion (the others may be under way), after the target region's
 * configuration is written (the other regions not yet). Unset: a no-op.
 */
export type FailpointName = 'state-written' | 'promoted-one' | 'config-target';

export async function failpoint(name: FailpointName, log: (line: string) => void): Promise<void> {
  if (process.env.FAILOVER_FAILPOINT !== name) return;
  log(`failover: failpoint ${name} reached, waiting to be killed`);
  await new Promise<never>(() => setInterval(() => undefined, 60_000));
}
