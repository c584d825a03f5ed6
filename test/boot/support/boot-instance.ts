import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AttachedVolume } from './attached-volume';
import { processRuns, sh } from './host-command';
import { InstanceNetwork } from './instance-network';

export interface BootInstanceProps {
  /** Short name (hostname and directory name). */
  readonly name: string;
  /** Where the instance keeps its root volume's changes, its logs and its device links. */
  readonly dir: string;
  /** Image layers, top first: the harness layer, then the cached Debian root filesystem. */
  readonly imageLayers: readonly string[];
  /** The AWS stand-in directory, mounted at /run/aws-stand-in (see cfn-bootstrap/aws-stand-in.ts). */
  readonly awsStandIn: string;
  /** The EBS data volume, attached at the next boot. @default none */
  readonly volume?: AttachedVolume;
}

/** What a hot attach does inside the instance that EBS and udev do on EC2 (see `attachVolume`). */
const HOT_ATTACH_NOTE =
  'EBS attaches it to the running instance: its device node and /dev/disk links appear in the instance (made by the harness, as udev would), without a reboot';

export interface ExecResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const live = new Set<BootInstance>();
// A worker that Jest kills or that exits mid-test must not leave containers running: kill them
// (PID 1 of a container takes all its processes with it) and lift their mounts.
process.once('exit', () => {
  for (const instance of live) instance.killNow();
});

/**
 * Removes what a harness process that no longer runs left behind: its containers (found by the
 * `boot-test-<pid>` in their directory) and its overlay mounts.
 */
export function removeStaleInstances(): void {
  const stale = (text: string) => {
    const pid = Number(/\/boot-test-(\d+)\//.exec(text)?.[1]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processRuns(pid);
  };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (cmdline.startsWith('systemd-nspawn ') && stale(cmdline)) process.kill(Number(entry), 'SIGKILL');
  }
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [, mountPoint, type] = line.split(' ');
    if (type === 'overlay' && mountPoint && stale(`${mountPoint}/`)) sh('umount', ['-l', mountPoint], { allowFailure: true });
  }
}

export async function waitFor<T>(what: string, timeoutMs: number, check: () => T | undefined | Promise<T | undefined>, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * One EC2 instance, played by a Debian userspace booted with systemd as PID 1 under
 * systemd-nspawn: its root volume is an overlay on the image (kept across reboots, like an EBS
 * root volume), it has its own network namespace, and the data volume (a loop device) is attached
 * under the by-id name EC2 gives it.
 *
 * /sys is writable in the container (SYSTEMD_NSPAWN_API_VFS_WRITABLE): systemd's fstab generator
 * ignores block-device entries when /sys is read-only ("Running in a container, ignoring fstab
 * device entry"), and the fstab entry the mount script writes is part of what the test proves.
 */
export class BootInstance {
  public readonly network: InstanceNetwork;
  private readonly merged: string;
  private nspawn?: ChildProcess;
  private exited?: Promise<number>;
  private pid1?: number;
  private volumeAttached: boolean;
  /** Volumes attached besides the data volume (`attachVolume`), with the device name they were attached as. */
  private readonly extraVolumes = new Map<AttachedVolume, string>();
  private boots = 0;

  public constructor(private readonly props: BootInstanceProps) {
    removeStaleInstances();
    for (const d of ['upper', 'work', 'merged', 'dev-disk', 'udev']) mkdirSync(join(props.dir, d), { recursive: true });
    this.merged = join(props.dir, 'merged');
    sh('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${props.imageLayers.join(':')},upperdir=${join(props.dir, 'upper')},workdir=${join(props.dir, 'work')}`, this.merged]);
    this.network = InstanceNetwork.create();
    this.volumeAttached = props.volume !== undefined;
    live.add(this);
  }

  /** At process exit: kill the container at once and lift the overlay (no waiting possible there). */
  public killNow(): void {
    this.nspawn?.kill('SIGKILL');
    spawnSync('umount', ['-l', this.merged]);
    this.network.remove();
  }

  /** A file on the instance's root volume, written before it boots (as an AMI or launch would). */
  public writeRootFile(path: string, content: string): void {
    const target = join(this.merged, path);
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, content);
  }

  public appendRootFile(path: string, content: string): void {
    appendFileSync(join(this.merged, path), content);
  }

  /** Whether EBS attaches the data volume at the next boot. */
  public setVolumeAttached(attached: boolean): void {
    this.volumeAttached = attached && this.props.volume !== undefined;
  }

  /** Every volume attached now (the data volume first), with the device name given at attachment. */
  public get attachedVolumes(): ReadonlyMap<AttachedVolume, string> {
    const volumes = new Map<AttachedVolume, string>();
    if (this.volumeAttached && this.props.volume) volumes.set(this.props.volume, 'data volume');
    for (const [volume, device] of this.extraVolumes) volumes.set(volume, device);
    return volumes;
  }

  /**
   * `aws ec2 attach-volume` of another volume: on a running instance, the hot attach EC2 does —
   * the device node appears in the instance's /dev (created here through its mount namespace, as
   * the kernel's devtmpfs would) with the /dev/disk links udev makes (added to the directories
   * bound into it), so that the instance's own commands find and mount it; no process inside is
   * told (systemd sees no uevent), which a manual mount does not need. On a stopped instance it
   * is attached at the next boot.
   */
  public attachVolume(volume: AttachedVolume, device: string): string {
    if (this.attachedVolumes.has(volume)) throw new Error(`${volume.volumeId} is already attached to ${this.props.name}`);
    if (!this.pid1) {
      this.extraVolumes.set(volume, device);
      return 'attached at the next boot';
    }
    const { major, minor } = volume.deviceNumbers;
    const node = `/dev/${basename(volume.loopDevice)}`;
    this.runInMountNamespace(['sh', '-c', `[ -e ${node} ] || mknod ${node} b ${major} ${minor}`]);
    volume.addDeviceLinks(join(this.props.dir, 'dev-disk'), join(this.props.dir, 'udev'));
    this.extraVolumes.set(volume, device);
    return HOT_ATTACH_NOTE;
  }

  /** Where the volume's device is mounted in the instance now (none: it can be detached safely). */
  public mountsOf(volume: AttachedVolume): string[] {
    if (!this.pid1) return [];
    const result = this.exec(['findmnt', '-n', '-o', 'TARGET', '-S', `/dev/${basename(volume.loopDevice)}`]);
    return result.stdout.split('\n').filter(Boolean);
  }

  /** `aws ec2 detach-volume`: the device and its links leave the instance. Refuses a mounted volume (EC2 leaves it "busy"). */
  public detachVolume(volume: AttachedVolume): void {
    if (!this.extraVolumes.has(volume)) throw new Error(`${volume.volumeId} is not attached to ${this.props.name} by attach-volume`);
    const mounts = this.mountsOf(volume);
    if (mounts.length) throw new Error(`${volume.volumeId} is still mounted at ${mounts.join(', ')} in ${this.props.name}: EC2 would leave the detachment "busy" until it is unmounted`);
    this.extraVolumes.delete(volume);
    if (!this.pid1) return;
    volume.removeDeviceLinks(join(this.props.dir, 'dev-disk'), join(this.props.dir, 'udev'));
    this.runInMountNamespace(['rm', '-f', `/dev/${basename(volume.loopDevice)}`]);
  }

  private runInMountNamespace(command: readonly string[]): void {
    const result = spawnSync('nsenter', ['-t', String(this.pid1), '-m', '--', ...command], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${command.join(' ')} in ${this.props.name}'s mount namespace exited with ${result.status}: ${result.stderr}`);
  }

  public get nspawnLog(): string {
    return join(this.props.dir, 'nspawn.log');
  }

  /** Boots the instance and waits until its systemd answers on its bus. */
  public async boot(): Promise<void> {
    if (this.nspawn) throw new Error(`${this.props.name} is already running`);
    const volumes = [...this.attachedVolumes.keys()];
    const devDisk = join(this.props.dir, 'dev-disk');
    const udev = join(this.props.dir, 'udev');
    for (const d of [devDisk, udev]) rmSync(d, { recursive: true, force: true });
    for (const d of [devDisk, udev]) mkdirSync(d, { recursive: true });
    for (const volume of volumes) volume.addDeviceLinks(devDisk, udev);
    mkdirSync('/run/systemd/nspawn', { recursive: true });
    const args = [
      '--boot',
      '--register=no',
      '--keep-unit',
      '--quiet',
      `--machine=${this.props.name}`,
      `--directory=${this.merged}`,
      `--network-namespace-path=${this.network.namespacePath}`,
      `--bind-ro=${realpathSync(process.execPath)}:/usr/lib/boot-harness/node`,
      `--bind=${this.props.awsStandIn}:/run/aws-stand-in`,
      `--bind=${devDisk}:/dev/disk`,
      `--bind=${udev}:/run/udev`,
      ...volumes.map((volume) => `--bind=${volume.loopDevice}`),
      '--console=pipe',
      // The instance keeps the /etc/resolv.conf it was given (the VPC resolver's stand-in), not the host's.
      '--resolv-conf=off',
    ];
    this.boots++;
    appendFileSync(this.nspawnLog, `\n--- boot ${this.boots}: systemd-nspawn ${args.join(' ')}\n`);
    const child = spawn('systemd-nspawn', args, {
      env: { ...process.env, SYSTEMD_NSPAWN_API_VFS_WRITABLE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => appendFileSync(this.nspawnLog, chunk));
    child.stderr!.on('data', (chunk: Buffer) => appendFileSync(this.nspawnLog, chunk));
    this.nspawn = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
    this.exited.then(() => {
      if (this.nspawn === child) {
        this.nspawn = undefined;
        this.pid1 = undefined;
      }
    });
    this.pid1 = await waitFor(`${this.props.name}'s PID 1`, 20_000, () => {
      if (child.exitCode !== null) throw new Error(`systemd-nspawn exited with ${child.exitCode}:\n${readFileSync(this.nspawnLog, 'utf8').slice(-3000)}`);
      const children = existsSync(`/proc/${child.pid}/task/${child.pid}/children`) ? readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim() : '';
      const pid = Number(children.split(' ')[0]);
      return pid > 0 && readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'systemd' ? pid : undefined;
    });
    await waitFor(`${this.props.name}'s systemd`, 30_000, () => {
      const state = this.exec(['systemctl', 'is-system-running']).stdout.trim();
      return ['initializing', 'starting', 'running', 'degraded', 'maintenance'].includes(state) ? state : undefined;
    });
  }

  /** Runs a command inside the instance as root (nsenter into all its namespaces), with a clean environment. */
  public exec(command: readonly string[], options: { readonly input?: string; readonly timeoutMs?: number } = {}): ExecResult {
    if (!this.pid1) throw new Error(`${this.props.name} is not running`);
    const result = spawnSync('nsenter', ['-t', String(this.pid1), '-a', '--', 'env', '-i', `PATH=${CONTAINER_PATH}`, 'LANG=C.UTF-8', ...command], {
      encoding: 'utf8',
      input: options.input,
      timeout: options.timeoutMs ?? 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  }

  /**
   * `exec` without blocking this process: for commands that call back into stand-ins served
   * from it (Secrets Manager, S3), or that run long. `env` is added to the clean environment;
   * `onOutput` sees stdout and stderr as they come (progress).
   */
  public execAsync(
    command: readonly string[],
    options: { readonly input?: string; readonly timeoutMs?: number; readonly env?: Readonly<Record<string, string>>; readonly onOutput?: (text: string) => void } = {},
  ): Promise<ExecResult> {
    if (!this.pid1) throw new Error(`${this.props.name} is not running`);
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    const child = spawn('nsenter', ['-t', String(this.pid1), '-a', '--', 'env', '-i', `PATH=${CONTAINER_PATH}`, 'LANG=C.UTF-8', 'HOME=/root', ...env, ...command], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onOutput?.(chunk.toString());
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onOutput?.(chunk.toString());
    });
    child.stdin!.end(options.input ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    return new Promise((resolve) =>
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ status: code ?? -1, stdout, stderr });
      }),
    );
  }

  /** `exec` that throws with the command's output unless it succeeds. */
  public run(command: readonly string[]): string {
    const result = this.exec(command);
    if (result.status !== 0) throw new Error(`${command.join(' ')} exited with ${result.status} in ${this.props.name}:\n${result.stdout}${result.stderr}`);
    return result.stdout;
  }

  public readFile(path: string): string | undefined {
    const result = this.exec(['cat', path]);
    return result.status === 0 ? result.stdout : undefined;
  }

  /** The last lines of the instance's journal (of one unit, or all). */
  public journal(unit?: string, lines = 80): string {
    return this.exec(['journalctl', '--no-pager', '-b', '-n', String(lines), ...(unit ? ['-u', unit] : [])]).stdout;
  }

  /** `systemctl reboot` and back up: the root volume and the attached volume stay; /run starts empty. */
  public async reboot(): Promise<void> {
    const exited = this.exited!;
    this.exec(['systemctl', 'reboot'], { timeoutMs: 10_000 });
    await withTimeout(exited, 60_000, `${this.props.name} to shut down for the reboot`);
    await this.boot();
  }

  /** Shuts the instance down (waits up to a minute, then kills it). */
  public async stop(): Promise<void> {
    const child = this.nspawn;
    if (!child) return;
    const exited = this.exited!;
    this.exec(['systemctl', 'poweroff'], { timeoutMs: 10_000 });
    try {
      await withTimeout(exited, 60_000, 'poweroff');
    } catch {
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Stops it and removes everything it used on the host (mounts, network namespace, files). */
  public async destroy(): Promise<void> {
    await this.stop();
    sh('umount', ['-l', this.merged], { allowFailure: true });
    this.network.remove();
    live.delete(this);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
