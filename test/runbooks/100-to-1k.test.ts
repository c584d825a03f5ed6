import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { buildApiBundle } from '../../build/api-bundle';
import { API_PATHS } from '../../lib/constructs/compute';
import { getBytes, getJson, signUp, uploadPhoto, type ApiTarget } from '../boot/support/api-calls';
import { describeBoot } from '../boot/support/boot-environment';
import { waitFor } from '../boot/support/boot-instance';
import { buildHarnessLayer } from '../boot/support/harness-layer';
import { baseRootfs } from '../boot/support/rootfs';
import { StageBoot } from '../boot/support/stage-boot';
import { Rehearsal } from './support/rehearsal';
import { blocksUnder, runbookBlocks } from './support/runbook-blocks';
import { WriteLedger } from './support/write-ledger';

/**
 * The runbook rehearsal for 100 → 1k: the commands of docs/runbooks/100-to-1k.md, read from the
 * file, run in order — pre-checks, steps, verification, then the rollback after step 2 —
 * against a stage-100 instance booted from its template with photos on its data volume, a
 * second PostgreSQL standing in for RDS (it keeps its data across the step), Secrets Manager's
 * stand-in and s3rver as the uploads bucket. The deploy of stage 1k terminates the instance and
 * boots a fleet instance from the launch template (StageBoot); the retained volume is attached to
 * it while it runs (a hot attach: the harness adds the device and its /dev/disk links, see
 * BootInstance.attachVolume) and the runbook's own mount, photos-to-s3 and umount run in it. A
 * write ledger signs users up through CloudFront's stand-in all along, whichever instance serves.
 */
const MINUTE = 60_000;
const RUNBOOK = join(__dirname, '..', '..', 'docs', 'runbooks', '100-to-1k.md');
const workDir = join(tmpdir(), `runbook-100-to-1k-${process.pid}`);
const log = (line: string) => process.stdout.write(`[runbook 100→1k] ${line}\n`);

/** A 1×1 PNG of one colour: photos whose bytes tell them apart. */
function png(red: number, green: number, blue: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(1, 0);
  header.writeUInt32BE(1, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from([0, red, green, blue]))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

interface Photo {
  readonly id: string;
  readonly userId: string;
  readonly bytes: Buffer;
}

describeBoot('runbook 100 → 1k, rehearsed from docs/runbooks/100-to-1k.md', () => {
  let boot: StageBoot;
  let api: ApiTarget;
  let ledger: WriteLedger;
  let rehearsal: Rehearsal;
  const blocks = runbookBlocks(RUNBOOK);
  const photos: Photo[] = [];
  const stage100Instance = () => boot.instanceId;
  let firstInstance: string;
  let firstVolume: string;

  async function upload(bytes: Buffer): Promise<Photo> {
    const owner = await signUp(api);
    const photo = { id: await uploadPhoto(api, owner, bytes), userId: owner.id, bytes };
    photos.push(photo);
    return photo;
  }

  /** Every photo uploaded so far, read through CloudFront: the bytes that were uploaded. */
  async function expectEveryPhoto(): Promise<void> {
    for (const photo of photos) {
      expect({ photo: photo.id, bytes: await getBytes(api, `/api/photos/${photo.id}/content`) }).toEqual({ photo: photo.id, bytes: photo.bytes });
      await expect(getJson(api, `/api/users/${photo.userId}`)).resolves.toMatchObject({ photoCount: 1 });
    }
  }

  async function objectBytes(key: string): Promise<Buffer> {
    const s3 = new S3Client({ region: 'eu-west-1', endpoint: boot.s3!.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: boot.s3!.bucket, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    } finally {
      s3.destroy();
    }
  }

  beforeAll(async () => {
    mkdirSync(workDir, { recursive: true });
    const apiBundleDir = join(workDir, 'api-bundle');
    buildApiBundle(apiBundleDir);
    const imageLayers = [buildHarnessLayer(join(workDir, 'harness-layer')), await baseRootfs(log)];
    boot = await StageBoot.prepare({ stage: '100', dir: join(workDir, 'boot'), imageLayers, apiBundleDir });
    boot.aws.setCfnHupMinute(2);
    await boot.instance.boot();
    const signal = await boot.signal(4 * MINUTE);
    if (signal.status !== 'SUCCESS') throw new Error(`stage 100 did not boot: ${signal.reason}\n${boot.diagnostics()}`);
    firstInstance = boot.instanceId;
    firstVolume = boot.volume!.volumeId;
    api = (await boot.startEdge()).api;
    rehearsal = new Rehearsal({ boot, log, reviewMustPrint: /\*\*Verdict: needs a runbook\*\*/ });
    // Through CloudFront, the site's errors while no origin answers count as unavailable, not as failures.
    ledger = new WriteLedger(api, 300, [502, 503, 504]);
    // Data from before the step: photos whose bytes are on the instance's data volume.
    await upload(png(200, 30, 30));
    await upload(png(30, 200, 30));
    ledger.start();
  }, 6 * MINUTE);
  afterAll(async () => {
    await ledger?.stop();
    await boot?.destroy();
    rmSync(workDir, { recursive: true, force: true });
  }, 2 * MINUTE);

  test('the sections the rehearsal does not run (a failed deploy, the clean-up) use only commands and options it knows', () => {
    rehearsal.check(blocksUnder(blocks, 'If the deploy fails'));
    rehearsal.check(blocksUnder(blocks, 'Clean-up (after the rollback window, e.g. two weeks)'));
  });

  test('pre-checks, steps and verification as written: the fleet serves every photo from the bucket, with every acknowledged write', async () => {
    expect(boot.instance.run(['find', `${API_PATHS.dataDir}/media`, '-type', 'f', '-not', '-name', '*.part']).trim().split('\n')).toHaveLength(photos.length);
    await rehearsal.run(blocksUnder(blocks, 'Pre-checks'));
    expect(rehearsal.snapshots).toEqual([firstVolume, String(boot.cloudformation.output('graminsta-Data', 'DatabaseInstanceId'))]);

    const steps = blocksUnder(blocks, 'Steps');
    // What the runbook says users see between the deploy and the copy: the old photos' content answers 404.
    const copy = steps.findIndex((block) => block.text.includes('attach-volume'));
    expect(copy).toBeGreaterThan(0);
    await rehearsal.run(steps.slice(0, copy));
    await expect(getJson(api, `/api/photos/${photos[0].id}/content`, 404)).resolves.toMatchObject({ error: { code: 'not_uploaded' } });
    await rehearsal.run(steps.slice(copy));
    expect(Object.values(boot.stackStages)).toEqual(Object.keys(boot.stackStages).map(() => '1k'));
    expect(boot.bootstrap.resourceType).toBe('AWS::AutoScaling::AutoScalingGroup');
    expect(boot.instances.get(firstInstance)!.terminated).toBe(true);
    // The old volume: retained, detached, and nothing left protected or attached by the copy.
    expect(boot.volumes.get(firstVolume)).toMatchObject({ resource: undefined, attachment: undefined });
    expect([...boot.group!.protectedFromScaleIn]).toEqual([]);
    for (const photo of photos) expect(await objectBytes(`media/originals/${photo.userId}/${photo.id}`)).toEqual(photo.bytes);

    await rehearsal.run(blocksUnder(blocks, 'Verification'));
    await expectEveryPhoto();
    // The database kept its data across the step: RDS is the same server, now reached by the fleet.
    expect(await ledger.write()).toBe(true);
    expect(await ledger.missing()).toEqual([]);
    expect(ledger.unexpectedOutcomes()).toEqual({});
    log(`after the step: ${ledger.summary()}; CloudFront answered instead: ${JSON.stringify(Object.fromEntries(boot.edge!.refusals))}`);
  }, 15 * MINUTE);

  test('rollback after step 2 as written: back on one instance with every photo (from before the step, from 1k, from during the rollback) and every write', async () => {
    const uploadedAt1k = await upload(png(30, 30, 200));
    const rollback = blocksUnder(blocks, 'Rollback', 'After step 2');
    // The second copy exists for what is uploaded while the first runs: upload one just before traffic stops.
    const stopTraffic = rollback.findIndex((block) => block.text.includes('detach-traffic-sources'));
    expect(stopTraffic).toBeGreaterThan(0);
    await rehearsal.run(rollback.slice(0, stopTraffic));
    const uploadedDuringCopy = await upload(png(200, 200, 30));
    const copyBack = rollback.findIndex((block) => block.text.includes('--device /dev/sdg'));
    expect(copyBack).toBeGreaterThan(stopTraffic);
    await rehearsal.run(rollback.slice(stopTraffic, copyBack));
    // Stage 100's new instance serves before R7 has copied the photos onto its volume: until then they answer 404.
    await expect(getJson(api, `/api/photos/${uploadedAt1k.id}/content`, 404)).resolves.toMatchObject({ error: { code: 'not_uploaded' } });
    await rehearsal.run(rollback.slice(copyBack));

    expect(boot.stackStages).toMatchObject({ 'graminsta-Network': '100', 'graminsta-App': '100', 'graminsta-Monitoring': '100', 'graminsta-Data': '1k' });
    expect(boot.bootstrap.resourceType).toBe('AWS::EC2::Instance');
    expect(stage100Instance()).not.toBe(firstInstance);
    expect(boot.volume!.volumeId).not.toBe(firstVolume);
    expect(boot.group).toBeUndefined();
    expect(boot.leftBehind).toEqual([]);
    expect(boot.volumes.get(firstVolume)).toMatchObject({ resource: undefined, attachment: undefined });
    await waitFor('the API on the new instance', MINUTE, async () => (await fetch(boot.apiUrl('/readyz')).catch(() => undefined))?.status === 200 || undefined, 1000);
    // On the new instance's own data volume, owned by the API's user.
    for (const photo of [uploadedAt1k, uploadedDuringCopy]) {
      const file = `${API_PATHS.dataDir}/media/originals/${photo.userId}/${photo.id}`;
      expect(boot.instance.run(['stat', '-c', '%U', file]).trim()).toBe(API_PATHS.user);
    }
    await expectEveryPhoto();
    expect(await ledger.write()).toBe(true);
    await ledger.stop();
    expect(await ledger.missing()).toEqual([]);
    expect(ledger.unexpectedOutcomes()).toEqual({});
    log(`after the rollback: ${ledger.summary()}; CloudFront answered instead: ${JSON.stringify(Object.fromEntries(boot.edge!.refusals))}`);
  }, 15 * MINUTE);
});
