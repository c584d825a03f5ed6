import { chmodSync, cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { packageTableTsv } from './package-map';

const IMAGE_FILES = join(__dirname, '..', 'image');
const CFN_BOOTSTRAP = join(__dirname, '..', 'cfn-bootstrap', 'main.ts');

/**
 * Units the instance image masks. With a writable /sys (which systemd needs to mount fstab
 * entries, see instance.ts) these would change the host's kernel settings or reach for the
 * network; none of them matters to what the templates do.
 */
const MASKED_UNITS = ['systemd-sysctl.service', 'systemd-binfmt.service', 'systemd-modules-load.service', 'apt-daily.timer', 'apt-daily-upgrade.timer'];

/**
 * The harness's layer of the instance image, laid over the cached Debian root filesystem: the
 * AL2023 stand-ins of test/boot/image (dnf, rpm, the packages' stand-in installers, the
 * cloud-init stand-in), the package table, and the cfn-bootstrap stand-in bundled into one
 * script. Rebuilt every run (it takes a fraction of a second), so editing a stand-in never needs
 * a new image.
 */
export function buildHarnessLayer(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  cpSync(IMAGE_FILES, dir, { recursive: true, preserveTimestamps: true });
  const lib = join(dir, 'usr', 'lib', 'boot-harness');
  writeFileSync(join(lib, 'packages.tsv'), packageTableTsv());
  buildSync({
    entryPoints: [CFN_BOOTSTRAP],
    outfile: join(lib, 'cfn-bootstrap.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    logLevel: 'silent',
  });
  // Mount point of the test machine's node binary (bind-mounted read-only at boot).
  writeFileSync(join(lib, 'node'), '');
  symlinkSync('dnf', join(dir, 'usr', 'bin', 'yum'));
  const systemd = join(dir, 'etc', 'systemd', 'system');
  mkdirSync(join(systemd, 'multi-user.target.wants'), { recursive: true });
  symlinkSync('/etc/systemd/system/cloud-final.service', join(systemd, 'multi-user.target.wants', 'cloud-final.service'));
  for (const unit of MASKED_UNITS) symlinkSync('/dev/null', join(systemd, unit));
  // git keeps the executable bit, but a checkout with a strict umask may not: set it for every script.
  for (const script of ['usr/bin/dnf', 'usr/bin/rpm', 'usr/lib/boot-harness/cloud-final', 'usr/lib/boot-harness/amazon-cloudwatch-agent-ctl', 'usr/lib/boot-harness/al2023/postgresql-setup', 'usr/lib/boot-harness/al2023/postgresql-check-db-dir']) {
    chmodSync(join(dir, script), 0o755);
  }
  for (const standIn of ['aws-cfn-bootstrap', 'nodejs22', 'postgresql16-server', 'amazon-cloudwatch-agent']) chmodSync(join(lib, 'stand-ins', standIn), 0o755);
  return dir;
}
