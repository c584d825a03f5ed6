import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { composeId } from '../../contracts/ids';
import { API_PATHS } from '../../lib/constructs/compute';
import { getBytes, getJson, signUp, TINY_PNG, uploadPhoto, type SignedUpUser } from './support/api-calls';
import { waitFor } from './support/boot-instance';
import { describeBoot } from './support/boot-environment';
import { buildHarnessLayer } from './support/harness-layer';
import { PACKAGE_SUBSTITUTIONS } from './support/package-map';
import { baseRootfs } from './support/rootfs';
import { SecondRegionBoot } from './support/second-region-boot';
import { StageBoot } from './support/stage-boot';

/**
 * The boot test: each kind of API instance runs what its synthesized template tells it to do —
 * the user data, then cfn-init over the `AWS::CloudFormation::Init` metadata — in a Debian
 * userspace booted with systemd as PID 1, on a real block device, against stand-ins for AWS on
 * its own network. See docs/infrastructure.md ("The boot test") for what it proves and what not.
 */

const MINUTE = 60_000;
let imageLayers: string[];
const workDir = join(tmpdir(), `boot-test-${process.pid}`);
const log = (line: string) => process.stdout.write(`[boot] ${line}\n`);

async function expectHealthySignal(boot: StageBoot): Promise<void> {
  const signal = await boot.signal(4 * MINUTE);
  if (signal.status !== 'SUCCESS') throw new Error(`the instance signalled ${signal.status} (${signal.reason}):\n${boot.diagnostics()}`);
}

/** The user a unit's main process runs as, and whether it is active. */
function serviceProcess(boot: { readonly instance: StageBoot['instance'] }, unit: string): { active: boolean; user?: string } {
  const active = boot.instance.exec(['systemctl', 'is-active', '--quiet', unit]).status === 0;
  const pid = boot.instance.exec(['systemctl', 'show', '-p', 'MainPID', '--value', unit]).stdout.trim();
  const user = active && pid !== '0' ? boot.instance.exec(['ps', '-o', 'user=', '-p', pid]).stdout.trim() : undefined;
  return { active, user };
}

function monotonic(boot: StageBoot, unit: string, property: string): number {
  return Number(boot.instance.run(['systemctl', 'show', '-p', property, '--value', unit]).trim());
}

async function expectServing(boot: StageBoot): Promise<void> {
  await expect(getJson(boot.api, '/healthz')).resolves.toEqual({ status: 'ok' });
  await expect(getJson(boot.api, '/readyz')).resolves.toMatchObject({ status: 'ready' });
  expect(serviceProcess(boot, API_PATHS.serviceName)).toEqual({ active: true, user: API_PATHS.user });
}

describeBoot('boot test: the templates bootstrap real instances', () => {
  beforeAll(async () => {
    mkdirSync(workDir, { recursive: true });
    log('AL2023 packages and what stands in for them here:');
    for (const p of PACKAGE_SUBSTITUTIONS) log(`  ${p.al2023} -> ${p.standsInAs}`);
    imageLayers = [buildHarnessLayer(join(workDir, 'harness-layer')), await baseRootfs(log)];
  }, 5 * MINUTE);

  describe('stage 1: the single instance with PostgreSQL on its data volume', () => {
    let boot: StageBoot;
    let user: SignedUpUser;
    let photoId: string;
    let systemIdentifier: string;
    const postgresIdentifier = () => boot.instance.run(['runuser', '-u', 'postgres', '--', 'psql', '-tAc', 'SELECT system_identifier FROM pg_control_system()']).trim();

    beforeAll(async () => {
      boot = await StageBoot.prepare({ stage: '1', dir: join(workDir, 'stage-1'), imageLayers });
      boot.aws.setCfnHupMinute(2);
      await boot.instance.boot();
    }, 3 * MINUTE);
    afterAll(() => boot?.destroy(), 2 * MINUTE); // a poweroff may take its whole minute under load before the kill

    test('first boot: cfn-init succeeds and signals SUCCESS; the API answers /healthz and /readyz on its port as the graminsta user, and only requests carrying the origin secret', async () => {
      await expectHealthySignal(boot);
      await expectServing(boot);
      // Only CloudFront gets in: without the origin secret it adds, the API refuses.
      expect((await fetch(boot.apiUrl('/api/users/1'))).status).toBe(403);
      // Every substitution the boot used is in its log.
      expect(boot.instance.readFile('/var/log/cloud-init-output.log')).toContain('boot-harness: dnf install postgresql16-server ->');
    }, 5 * MINUTE);

    test('PostgreSQL and the photos live on the data volume, formatted and mounted by the script, listed in fstab by UUID', async () => {
      const mount = boot.instance.run(['findmnt', '-n', '-o', 'SOURCE,FSTYPE', API_PATHS.dataDir]).trim();
      expect(mount).toBe(`${boot.volume!.loopDevice} xfs`);
      expect(boot.volume!.filesystem()).toMatchObject({ type: 'xfs', label: 'graminsta' });
      expect(boot.instance.readFile('/etc/fstab')).toContain(`UUID=${boot.volume!.filesystem().uuid} ${API_PATHS.dataDir} xfs`);
      expect(boot.instance.run(['runuser', '-u', 'postgres', '--', 'psql', '-tAc', 'SHOW data_directory']).trim()).toBe(`${API_PATHS.dataDir}/postgresql`);
      user = await signUp(boot.api);
      photoId = await uploadPhoto(boot.api, user);
      expect(boot.instance.run(['find', API_PATHS.dataDir, '-path', `${API_PATHS.dataDir}/postgresql`, '-prune', '-o', '-type', 'f', '-print'])).toMatch(/\S/);
      systemIdentifier = postgresIdentifier();
    });

    test('reboot: the volume is mounted before PostgreSQL and the API start, user data does not run again, and the data is still there', async () => {
      await boot.instance.reboot();
      await waitFor('the API after the reboot', MINUTE, async () => (await fetch(boot.apiUrl('/readyz')).catch(() => undefined))?.status === 200 || undefined);
      const mounted = monotonic(boot, 'var-lib-graminsta.mount', 'ActiveEnterTimestampMonotonic');
      expect(mounted).toBeGreaterThan(0);
      for (const unit of ['postgresql.service', `${API_PATHS.serviceName}.service`]) {
        expect({ unit, startedAfterMount: monotonic(boot, unit, 'InactiveExitTimestampMonotonic') > mounted }).toEqual({ unit, startedAfterMount: true });
      }
      expect(boot.instance.readFile('/var/log/cloud-init-output.log')).toContain('already ran');
      expect(boot.aws.signals()).toHaveLength(1);
      await expectServing(boot);
      await expect(getJson(boot.api, `/api/users/${user.id}`)).resolves.toMatchObject({ username: user.username, photoCount: 1 });
      await expect(getBytes(boot.api, `/api/photos/${photoId}/content`)).resolves.toEqual(TINY_PNG);
      expect(postgresIdentifier()).toBe(systemIdentifier);
    }, 3 * MINUTE);

    test('reboot before EBS attaches the volume: PostgreSQL and the API wait for it and write nothing to the root volume; with the volume back, all is as before', async () => {
      await boot.instance.stop();
      boot.instance.setVolumeAttached(false);
      await boot.instance.boot();
      // Give the services the time they would need to start (a few seconds) and more.
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      expect(serviceProcess(boot, API_PATHS.serviceName).active).toBe(false);
      expect(serviceProcess(boot, 'postgresql.service').active).toBe(false);
      const jobs = boot.instance.run(['systemctl', 'list-jobs', '--no-legend']);
      expect(jobs).toMatch(new RegExp(`${API_PATHS.serviceName}\\.service\\s+start\\s+waiting`));
      expect(boot.instance.run(['ls', '-A', API_PATHS.dataDir]).trim()).toBe('');
      await boot.instance.stop();
      boot.instance.setVolumeAttached(true);
      await boot.instance.boot();
      await waitFor('the API with its volume back', MINUTE, async () => (await fetch(boot.apiUrl('/readyz')).catch(() => undefined))?.status === 200 || undefined);
      await expect(getJson(boot.api, `/api/users/${user.id}`)).resolves.toMatchObject({ username: user.username, photoCount: 1 });
      expect(postgresIdentifier()).toBe(systemIdentifier);
    }, 4 * MINUTE);

    test('in-place update: a template with a new API bundle reaches the running instance through cfn-hup; the data and the database survive', async () => {
      const bundleB = join(workDir, 'bundle-b');
      cpSync(boot.apiBundleDir(), bundleB, { recursive: true });
      const marker = `boot test bundle B ${Date.now()}`;
      writeFileSync(join(bundleB, 'server.js'), `console.error(${JSON.stringify(marker)});\n${readFileSync(join(bundleB, 'server.js'), 'utf8')}`);
      const apiPid = boot.instance.run(['systemctl', 'show', '-p', 'MainPID', '--value', API_PATHS.serviceName]).trim();

      const update = boot.deployUpdate({ apiBundleDir: bundleB });
      expect(update).toEqual({ sameResource: true, userDataUnchanged: true });

      await waitFor('cfn-hup to apply the new metadata', 2 * MINUTE, () => (boot.instance.readFile(API_PATHS.logFile) ?? '').includes(marker) || undefined, 1000);
      await waitFor('the updated API', MINUTE, async () => (await fetch(boot.apiUrl('/healthz')).catch(() => undefined))?.status === 200 || undefined);
      expect(boot.instance.run(['systemctl', 'show', '-p', 'MainPID', '--value', API_PATHS.serviceName]).trim()).not.toBe(apiPid);
      expect(boot.instance.readFile(`${API_PATHS.apiDir}/server.js`)).toContain(marker);
      await expectServing(boot);
      await expect(getJson(boot.api, `/api/users/${user.id}`)).resolves.toMatchObject({ username: user.username, photoCount: 1 });
      await expect(getBytes(boot.api, `/api/photos/${photoId}/content`)).resolves.toEqual(TINY_PNG);
      expect(postgresIdentifier()).toBe(systemIdentifier);
    }, 4 * MINUTE);
  });

  describe('stage 10: the single instance on RDS', () => {
    let boot: StageBoot;

    beforeAll(async () => {
      boot = await StageBoot.prepare({ stage: '10', dir: join(workDir, 'stage-10'), imageLayers });
      await boot.instance.boot();
    }, 3 * MINUTE);
    afterAll(() => boot?.destroy(), 2 * MINUTE); // a poweroff may take its whole minute under load before the kill

    test('first boot: signals SUCCESS and serves, with the database reached over verified TLS through the secret', async () => {
      await expectHealthySignal(boot);
      await expectServing(boot);
      expect(serviceProcess(boot, 'postgresql.service').active).toBe(false);
      const user = await signUp(boot.api);
      // The API keeps its data in the database the stack created, over TLS from the instance.
      const rds = boot.rds!;
      await expect(rds.query(rds.databaseName!, `SELECT username FROM users WHERE username = '${user.username}'`)).resolves.toEqual([{ username: user.username }]);
      const sessions = await rds.query<{ ssl: boolean }>('postgres', `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.client_addr = '${boot.instance.network.instanceAddress}'`);
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.every((s) => s.ssl)).toBe(true);
      expect(boot.instance.run(['findmnt', '-n', '-o', 'FSTYPE', API_PATHS.dataDir]).trim()).toBe('xfs');
    }, 5 * MINUTE);
  });

  describe('stage 1k: a fleet instance', () => {
    let boot: StageBoot;

    beforeAll(async () => {
      boot = await StageBoot.prepare({ stage: '1k', dir: join(workDir, 'stage-1k'), imageLayers });
      await boot.instance.boot();
    }, 3 * MINUTE);
    afterAll(() => boot?.destroy(), 2 * MINUTE); // a poweroff may take its whole minute under load before the kill

    test('first boot: signals SUCCESS to the Auto Scaling group and serves; photos go to the uploads bucket', async () => {
      await expectHealthySignal(boot);
      expect(boot.aws.signals()[0]).toMatchObject({ resource: boot.bootstrap.metadataResource, status: 'SUCCESS' });
      expect(boot.bootstrap.resourceType).toBe('AWS::AutoScaling::AutoScalingGroup');
      await expectServing(boot);
      expect(boot.volume).toBeUndefined();
      const user = await signUp(boot.api);
      const photoId = await uploadPhoto(boot.api, user);
      const s3 = new S3Client({ region: 'eu-west-1', endpoint: boot.s3!.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
      const photo = await getJson(boot.api, `/api/photos/${photoId}`);
      expect(photo.id).toBe(photoId);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: boot.env.UPLOADS_BUCKET }));
      expect(listed.Contents?.length).toBe(1);
      const object = await s3.send(new GetObjectCommand({ Bucket: boot.env.UPLOADS_BUCKET, Key: listed.Contents![0].Key! }));
      expect(Buffer.from(await object.Body!.transformToByteArray())).toEqual(TINY_PNG);
      s3.destroy();
    }, 5 * MINUTE);
  });

  describe('stage 10m: a second-region fleet instance', () => {
    let boot: SecondRegionBoot;
    /** Whether the instance holds database sessions on the server now, and all of them over TLS. */
    const sessionsFrom = async (server: SecondRegionBoot['servers'][number]) => {
      const address = boot.instance.network.instanceAddress;
      const sessions = await server.rds.query<{ ssl: boolean }>('postgres', `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.client_addr = '${address}'`);
      return { server: `${server.primary} ${server.role}`, connected: sessions.length > 0, tls: sessions.every((s) => s.ssl) };
    };

    /** Waits for the instance's signal (the first test's start) and fails unless it is SUCCESS. */
    const expectSecondRegionServing = async () => {
      const signal = await boot.signal(4 * MINUTE);
      if (signal.status !== 'SUCCESS') throw new Error(`the instance signalled ${signal.status} (${signal.reason}):\n${boot.diagnostics()}`);
    };

    beforeAll(async () => {
      boot = await SecondRegionBoot.prepare({ dir: join(workDir, 'stage-10m-second'), imageLayers });
      await boot.instance.boot();
    }, 3 * MINUTE);
    afterAll(() => boot?.destroy(), 2 * MINUTE); // a poweroff may take its whole minute under load before the kill

    test("first boot: signals SUCCESS to its region's Auto Scaling group and serves, ready with its region's parameters, databases and Redis; the worker idles; a write is sent home and, home unreachable, answered 503 home_unreachable", async () => {
      await expectSecondRegionServing();
      expect(boot.aws.signals()[0]).toMatchObject({ resource: boot.bootstrap.metadataResource, status: 'SUCCESS' });
      expect(boot.bootstrap).toMatchObject({ stack: boot.appStack, resourceType: 'AWS::AutoScaling::AutoScalingGroup' });
      expect(boot.env.AWS_REGION).toBe(boot.region);
      await expect(getJson(boot.api, '/healthz')).resolves.toEqual({ status: 'ok' });
      await expect(getJson(boot.api, '/readyz')).resolves.toEqual({ status: 'ready', checks: { database: 'ok', cache: 'ok' } });
      expect(serviceProcess(boot, API_PATHS.serviceName)).toEqual({ active: true, user: API_PATHS.user });
      // Its two parameters, read through SSM in its own region; the region configuration names home.
      const reads = boot.ssm!.calls.filter((c) => c.action === 'GetParameter');
      expect(new Set(reads.map((c) => `${c.region} ${c.name}`))).toEqual(new Set([boot.env.SHARD_MAP_PARAMETER, boot.env.REGION_CONFIG_PARAMETER].map((name) => `${boot.region} ${name}`)));
      expect(boot.regionConfig.home).toBe(boot.home);
      expect(boot.instance.readFile(API_PATHS.logFile)).toMatch(new RegExp(`"region":"${boot.region}","home":"${boot.home}".*"msg":"region configuration read"`));
      // The shard map's servers over verified TLS (a verdict lives 1 s: this /readyz asks them afresh), Redis over TLS with the token.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await expect(getJson(boot.api, '/readyz')).resolves.toMatchObject({ status: 'ready' });
      const reached = (await Promise.all(boot.servers.map(sessionsFrom))).filter((s) => s.connected);
      expect(reached.length).toBeGreaterThanOrEqual(boot.shardMap.primaries.length);
      expect(reached.every((s) => s.tls)).toBe(true);
      expect(boot.redis!.cli(['client', 'list'])).toContain(`addr=${boot.instance.network.instanceAddress}:`);
      // The worker runs steadily (cfn-init's verify step waited for it) and takes nothing from its region's queue.
      expect(serviceProcess(boot, API_PATHS.workerServiceName)).toEqual({ active: true, user: API_PATHS.user });
      expect(boot.sqs!.requests.filter((r) => r.operation === 'ReceiveMessage')).toEqual([]);

      // A sign-up is a write: outside home it goes to home's apiUrl, which nothing serves here.
      const response = await fetch(boot.apiUrl('/api/users'), {
        method: 'POST',
        headers: { ...boot.api.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'boot_second_region', password: 'a long enough password' }),
        signal: AbortSignal.timeout(15_000),
      });
      expect({ status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() }).toMatchObject({
        status: 503,
        retryAfter: expect.stringMatching(/^\d+$/),
        body: { error: { code: 'home_unreachable' } },
      });
      for (const server of boot.servers) {
        await expect(server.rds.query(server.rds.databaseName!, 'SELECT count(*)::int AS users FROM users')).resolves.toEqual([{ users: 0 }]);
      }
      // The process carries on.
      await expect(getJson(boot.api, '/readyz')).resolves.toMatchObject({ status: 'ready' });
      expect(boot.instance.run(['systemctl', 'show', '-p', 'NRestarts', '--value', API_PATHS.serviceName]).trim()).toBe('0');
    }, 5 * MINUTE);

    test("reads stay in the region: the region's own servers (its shard map's primaries, the cross-region replicas) are asked, home's primaries never", async () => {
      await expectSecondRegionServing();
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await expect(getJson(boot.api, '/readyz')).resolves.toMatchObject({ status: 'ready' });
      const missing = await fetch(boot.apiUrl(`/api/users/${composeId(Date.now(), 7, 1)}`), { headers: boot.api.headers, signal: AbortSignal.timeout(15_000) });
      expect(missing.status).toBe(404);
      const sessions = await Promise.all(boot.servers.map(sessionsFrom));
      const connected = (role: string) => sessions.filter((s) => s.server.endsWith(role) && s.connected).map((s) => s.server);
      expect({ homePrimaries: connected('home primary'), replicas: connected('replica').length }).toEqual({ homePrimaries: [], replicas: boot.shardMap.primaries.length });
    });

    test("every secret is read in the region its ARN names, and those are the region's own replicas of home's secrets (Secrets Manager answers a secret only in its region, and a lost home must not matter)", async () => {
      await expectSecondRegionServing();
      const reads = boot.secrets!.signedReads;
      expect(reads.length).toBeGreaterThan(0);
      expect(reads.filter((read) => read.secretId.split(':')[3] !== read.region)).toEqual([]);
      expect([...new Set(reads.map((read) => read.region))]).toEqual([boot.region]);
    });
  });
});
