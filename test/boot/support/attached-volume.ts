import { mkdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { processRuns, sh } from './host-command';

const IMAGE_PREFIX = 'bootharness-volume-';

/**
 * An EBS volume: a loop device over a sparse file, so the scripts under test format and mount a
 * real block device. It outlives boots (a reboot keeps it attached; the test can boot without it,
 * as when EBS has not attached it yet) and instances (a volume CloudFormation retains can be
 * attached to another instance).
 *
 * On a Nitro instance EBS volumes are NVMe devices; udev names each
 * `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_<serial>`, and the serial is the volume ID
 * without its dash (`vol-0abc…` → `vol0abc…`).
 * @see https://docs.aws.amazon.com/ebs/latest/userguide/identify-nvme-ebs-device.html
 */
export class AttachedVolume {
  private constructor(
    public readonly volumeId: string,
    public readonly loopDevice: string,
    private readonly imageFile: string,
  ) {}

  public static create(dir: string, volumeId: string, sizeGiB = 2): AttachedVolume {
    detachStaleVolumes();
    mkdirSync(dir, { recursive: true });
    const imageFile = join(dir, `${IMAGE_PREFIX}${process.pid}-${volumeId}.img`);
    sh('truncate', ['-s', `${sizeGiB}G`, imageFile]);
    const loopDevice = sh('losetup', ['--find', '--show', imageFile]).trim();
    return new AttachedVolume(volumeId, loopDevice, imageFile);
  }

  /** The NVMe serial EC2 gives the volume. */
  public get nvmeSerial(): string {
    return this.volumeId.replace('-', '');
  }

  public get byIdLink(): string {
    return `nvme-Amazon_Elastic_Block_Store_${this.nvmeSerial}`;
  }

  /** What blkid finds on the device now (nothing before the first mkfs). */
  public filesystem(): { uuid?: string; label?: string; type?: string } {
    const out = sh('blkid', ['-p', '-o', 'export', this.loopDevice], { allowFailure: true });
    const value = (key: string) => out.split('\n').find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1);
    return { uuid: value('UUID'), label: value('LABEL'), type: value('TYPE') };
  }

  /** The device's major and minor numbers. */
  public get deviceNumbers(): { major: number; minor: number } {
    const [major, minor] = sh('stat', ['-c', '%t %T', this.loopDevice]).trim().split(' ').map((hex) => parseInt(hex, 16));
    return { major, minor };
  }

  /**
   * Plays udev for the instance (which has none in a container): the `/dev/disk` links that
   * udev's persistent-storage rules make for this device, and udev's database entry tagging it for
   * systemd, so that systemd sees `dev-disk-by\x2duuid-….device` at boot and mounts the fstab
   * entry as on EC2. Called before every boot, and when the volume is attached to a running
   * instance (`devDisk` and `udevRun` are then bound into it already); the by-uuid link appears
   * once the device holds a filesystem, as udev adds it after mkfs. A link another device already
   * holds (two volumes with one label) now names this one, as udev's last event wins.
   */
  public addDeviceLinks(devDisk: string, udevRun: string): void {
    const node = basename(this.loopDevice);
    const { major, minor } = this.deviceNumbers;
    const fs = this.filesystem();
    const links = this.links(fs);
    for (const link of links) {
      const path = join(devDisk, link.slice('disk/'.length));
      mkdirSync(join(path, '..'), { recursive: true });
      rmSync(path, { force: true });
      symlinkSync(`../../${node}`, path);
    }
    const id = `b${major}:${minor}`;
    mkdirSync(join(udevRun, 'data'), { recursive: true });
    mkdirSync(join(udevRun, 'tags', 'systemd'), { recursive: true });
    const properties = [
      `E:ID_SERIAL=Amazon_Elastic_Block_Store_${this.nvmeSerial}`,
      ...(fs.uuid ? [`E:ID_FS_UUID=${fs.uuid}`, `E:ID_FS_TYPE=${fs.type}`, 'E:ID_FS_USAGE=filesystem'] : []),
      ...(fs.label ? [`E:ID_FS_LABEL=${fs.label}`] : []),
    ];
    writeFileSync(join(udevRun, 'data', id), [...links.map((l) => `S:${l}`), 'I:1000000', ...properties, 'G:systemd', 'Q:systemd', 'V:1', ''].join('\n'));
    writeFileSync(join(udevRun, 'tags', 'systemd', id), '');
  }

  /** What udev removes when the device goes away: its links (those still naming it) and its database entry. */
  public removeDeviceLinks(devDisk: string, udevRun: string): void {
    const node = basename(this.loopDevice);
    for (const link of this.links(this.filesystem())) {
      const path = join(devDisk, link.slice('disk/'.length));
      if (linkTarget(path) === `../../${node}`) rmSync(path);
    }
    const { major, minor } = this.deviceNumbers;
    rmSync(join(udevRun, 'data', `b${major}:${minor}`), { force: true });
    rmSync(join(udevRun, 'tags', 'systemd', `b${major}:${minor}`), { force: true });
  }

  private links(fs: { uuid?: string; label?: string }): string[] {
    return [`disk/by-id/${this.byIdLink}`, ...(fs.uuid ? [`disk/by-uuid/${fs.uuid}`] : []), ...(fs.label ? [`disk/by-label/${fs.label}`] : [])];
  }

  public detach(): void {
    sh('losetup', ['-d', this.loopDevice], { allowFailure: true });
    rmSync(this.imageFile, { force: true });
  }
}

/** Where a symbolic link points (it dangles on the host: it names the container's /dev), or undefined. */
function linkTarget(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Detaches loop devices whose image belongs to a harness process that no longer runs. */
function detachStaleVolumes(): void {
  const listing = JSON.parse(sh('losetup', ['--list', '--json', '--output', 'NAME,BACK-FILE']) || '{"loopdevices":[]}') as {
    loopdevices?: Array<{ name: string; 'back-file': string | null }>;
  };
  for (const loop of listing.loopdevices ?? []) {
    const file = basename(loop['back-file'] ?? '');
    if (!file.startsWith(IMAGE_PREFIX)) continue;
    const pid = Number(file.slice(IMAGE_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processRuns(pid)) sh('losetup', ['-d', loop.name], { allowFailure: true });
  }
}
