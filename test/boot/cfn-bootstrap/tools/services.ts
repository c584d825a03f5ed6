import { interpretBoolean, type ServiceSpec } from '../init-model';
import { runProcess, type LogFile } from '../process';

/** What earlier steps of the same config changed: a service that lists one of them restarts. */
export interface ConfigChanges {
  readonly packages: Record<string, readonly string[]>;
  readonly groups: readonly string[];
  readonly users: readonly string[];
  readonly sources: readonly string[];
  readonly files: readonly string[];
  readonly commands: readonly string[];
}

function needsRestart(spec: ServiceSpec, changes: ConfigChanges): boolean {
  const overlaps = (wanted: readonly string[] | undefined, done: readonly string[]) => (wanted ?? []).some((x) => done.includes(x));
  if (overlaps(spec.files, changes.files) || overlaps(spec.sources, changes.sources)) return true;
  if (overlaps(spec.groups, changes.groups) || overlaps(spec.users, changes.users) || overlaps(spec.commands, changes.commands)) return true;
  return Object.entries(spec.packages ?? {}).some(([manager, names]) => overlaps(names, changes.packages[manager] ?? []));
}

function systemctl(args: readonly string[], what: string): void {
  const result = runProcess(['/usr/bin/systemctl', ...args]);
  if (result.returncode !== 0) throw new Error(`Could not ${what} (systemctl ${args.join(' ')} exited with ${result.returncode}): ${result.output.trim()}`);
}

/**
 * `services` with the `systemd` manager, as cfn-bootstrap 2's SystemDTool: `enabled` runs
 * `systemctl enable|disable`; a change to anything the service lists means `daemon-reload` and
 * `reload-or-restart`; otherwise `ensureRunning` starts or stops it according to `is-active`.
 */
export function applyServices(services: Record<string, Record<string, ServiceSpec>>, changes: ConfigChanges, log: LogFile): void {
  for (const [manager, byName] of Object.entries(services)) {
    if (manager !== 'systemd') throw new Error(`Unsupported service manager on this stand-in: ${manager}`);
    for (const [name, spec] of Object.entries(byName)) {
      const restart = needsRestart(spec, changes);
      if (spec.enabled !== undefined) {
        const enable = interpretBoolean(spec.enabled);
        systemctl([enable ? 'enable' : 'disable', name], `${enable ? 'enable' : 'disable'} service ${name}`);
        log.info(`${enable ? 'enable' : 'disable'} service ${name}`);
      }
      if (restart) {
        log.debug(`Restarting ${name} due to change detected in dependency`);
        systemctl(['daemon-reload'], `reload configuration for ${name}`);
        systemctl(['reload-or-restart', name], `reload or restart service ${name}`);
      } else if (spec.ensureRunning !== undefined) {
        const want = interpretBoolean(spec.ensureRunning);
        const running = runProcess(['/usr/bin/systemctl', 'is-active', name]).returncode === 0;
        if (want && !running) systemctl(['start', name], `start ${name}`);
        else if (!want && running) systemctl(['stop', name], `stop ${name}`);
        if (want !== running) log.info(`${want ? 'Started' : 'Stopped'} ${name} successfully`);
      }
    }
  }
}
