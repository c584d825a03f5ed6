import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BASE_IMAGE_PACKAGES, repositoryPackages } from './package-map';

/** The Debian release the instance image is made of (its systemd, 252, is AL2023's). */
export const DEBIAN_SUITE = 'bookworm';

/**
 * mmdebstrap hooks that turn a minimal Debian into the stand-in AMI. They are
 * part of the cache key, so changing one rebuilds the image.
 */
const CUSTOMIZE_HOOKS: readonly string[] = [
  // AL2023's postgresql16-server creates no cluster until `postgresql-setup --initdb`; Debian's would create one on install.
  'mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.d/boot-harness.conf"',
  // Keep only the packages instances install later (the "repository"), with the package lists, so installs work offline.
  'chroot "$1" apt-get clean',
  `chroot "$1" apt-get install --download-only -y --no-install-recommends ${repositoryPackages().join(' ')}`,
];

const COMPLETE_MARKER = '.boot-harness-complete';

/** Where built images are kept between runs: `$XDG_CACHE_HOME/scaling-stages/boot-rootfs` (or ~/.cache/...). */
export function rootfsCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'scaling-stages', 'boot-rootfs');
}

/** The cache key: the suite, the package lists and the hooks (anything that changes the image's contents). */
export function rootfsKey(): string {
  const recipe = JSON.stringify({ suite: DEBIAN_SUITE, base: BASE_IMAGE_PACKAGES, repository: repositoryPackages(), hooks: CUSTOMIZE_HOOKS });
  return createHash('sha256').update(recipe).digest('hex').slice(0, 16);
}

function run(command: string, args: readonly string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.startsWith('I: ')) log(`  mmdebstrap: ${line.slice(3)}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}:\n${tail}`))));
  });
}

/**
 * The stand-in AMI: a Debian root filesystem made by mmdebstrap with the
 * packages the AL2023 AMI has, plus an offline package cache for what
 * templates install. Built once (about 25 s and 350 MB) and kept in the cache,
 * keyed by its recipe; older images are removed. Instances never write to it:
 * each boots from an overlay on top.
 */
export async function baseRootfs(log: (line: string) => void): Promise<string> {
  const cache = rootfsCacheDir();
  const key = rootfsKey();
  const dir = join(cache, key);
  if (existsSync(join(dir, COMPLETE_MARKER))) return dir;

  mkdirSync(cache, { recursive: true });
  for (const entry of readdirSync(cache)) if (entry !== key) rmSync(join(cache, entry), { recursive: true, force: true });
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  log(`building the instance image (Debian ${DEBIAN_SUITE} with ${BASE_IMAGE_PACKAGES.join(', ')}; cache ${dir})`);
  const started = Date.now();
  await run(
    'mmdebstrap',
    [
      '--variant=minbase',
      `--include=${BASE_IMAGE_PACKAGES.join(',')}`,
      ...CUSTOMIZE_HOOKS.map((hook) => `--customize-hook=${hook}`),
      '--skip=cleanup/apt/lists',
      '--skip=cleanup/apt/cache',
      DEBIAN_SUITE,
      building,
    ],
    log,
  );
  writeFileSync(join(building, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  try {
    renameSync(building, dir);
  } catch (error) {
    // Another process finished the same image first: use its copy.
    rmSync(building, { recursive: true, force: true });
    if (!existsSync(join(dir, COMPLETE_MARKER))) throw error;
  }
  log(`instance image ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}
