import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Host commands the boot test runs (Debian packages: systemd-container, mmdebstrap, util-linux, mount, iproute2, openssl, redis-server for 10m's ElastiCache). */
const HOST_COMMANDS = ['systemd-nspawn', 'mmdebstrap', 'nsenter', 'losetup', 'blkid', 'ip', 'openssl', 'mount', 'redis-server', 'redis-cli'];

/** Why instances cannot be booted on this machine, or undefined when they can. */
export function bootUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'it needs Linux';
  if (process.getuid?.() !== 0) return 'it needs root (systemd-nspawn, loop devices, network namespaces, overlay mounts)';
  const missing = HOST_COMMANDS.filter((command) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0);
  if (missing.length) return `missing commands: ${missing.join(', ')} (apt-get install systemd-container mmdebstrap xfsprogs openssl redis-server)`;
  if (!readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return 'the kernel has no overlay filesystem';
  if (!readFileSync('/proc/filesystems', 'utf8').includes('xfs')) return 'the kernel has no XFS';
  if (!existsSync('/dev/loop-control')) return 'no loop devices (/dev/loop-control)';
  return undefined;
}

/**
 * `describe` for the boot test: where instances cannot be booted it is skipped with a loud
 * message, except in CI (CI=true), where it fails with the reason instead.
 */
export function describeBoot(name: string, fn: () => void): void {
  const reason = bootUnavailableReason();
  if (!reason) return describe(name, fn);
  if (process.env.CI) {
    return describe(name, () => {
      test('instances can be booted on this machine', () => {
        throw new Error(`the boot test cannot run: ${reason}`);
      });
    });
  }
  // eslint-disable-next-line no-console
  console.warn(`\n*** SKIPPED "${name}": the boot test cannot run here: ${reason}. In CI this fails instead. ***\n`);
  return describe.skip(name, fn);
}
