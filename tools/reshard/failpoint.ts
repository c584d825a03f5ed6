/**
 * Named points where `RESHARD_FAILPOINT=<name>` makes the process stop and
 * wait to be killed, so the kill-and-resume tests can SIGKILL the real tool
 * at an exact step boundary (the most delicate moments: between two servers'
 * commits). Unset in normal use: then this is a no-op.
 */
export type FailpointName = 'marked-incoming' | 'marked-copying' | 'copy-batch' | 'frozen' | 'flip-target' | 'settling' | 'cleanup-batch';

export async function failpoint(name: FailpointName): Promise<void> {
  if (process.env.RESHARD_FAILPOINT !== name) return;
  process.stderr.write(`reshard: failpoint ${name} reached, waiting to be killed\n`);
  await new Promise<never>(() => setInterval(() => undefined, 60_000));
}
