import type { LogFile } from '../process';
import { runProcess } from '../process';

/** Package managers cfn-init applies, in its order (dpkg, rpm, apt, yum, then the rest by name). */
const MANAGER_ORDER = ['dpkg', 'rpm', 'apt', 'yum'];

/**
 * `packages`: on Amazon Linux cfn-init installs `yum` packages with `yum install -y` (dnf on AL2023)
 * and reports which it installed, so a service listing them restarts. Only yum is supported here.
 */
export function applyPackages(packages: Record<string, Record<string, unknown>>, log: LogFile): Record<string, string[]> {
  const changes: Record<string, string[]> = {};
  const managers = Object.keys(packages).sort((a, b) => {
    const ia = MANAGER_ORDER.indexOf(a);
    const ib = MANAGER_ORDER.indexOf(b);
    if (ia >= 0 && ib >= 0) return ia - ib;
    if (ia >= 0) return -1;
    if (ib >= 0) return 1;
    return a.toLowerCase().localeCompare(b.toLowerCase());
  });
  for (const manager of managers) {
    if (manager !== 'yum') throw new Error(`Unsupported package manager on this stand-in: ${manager}`);
    const names = Object.keys(packages[manager]).filter((name) => {
      const versions = packages[manager][name];
      if (Array.isArray(versions) && versions.length > 0) throw new Error(`version pins are not supported by the stand-in (${name}: ${versions.join(',')})`);
      // cfn-init skips what rpm -q already reports; the dnf stand-in keeps that record.
      return runProcess(['/usr/bin/rpm', '-q', name]).returncode !== 0;
    });
    if (names.length === 0) {
      log.debug('All yum packages were already installed');
      continue;
    }
    log.info(`Yum installing packages: ${names.join(' ')}`);
    const result = runProcess(['/usr/bin/yum', 'install', '-y', ...names]);
    log.debug(`Yum output: ${result.output}`);
    if (result.returncode !== 0) {
      log.error(`Yum failed. Output: ${result.output}`);
      throw new Error(`Could not successfully install yum packages (return code ${result.returncode})`);
    }
    changes[manager] = names;
  }
  return changes;
}
