import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApiBundle } from '../../build/api-bundle';
import { STAGE_ONE_RECORD_FILE } from '../../contracts/stage-one-copy';
import { API_PATHS } from '../../lib/constructs/compute';
import { getBytes, getJson, signUp, TINY_PNG, uploadPhoto } from '../boot/support/api-calls';
import { describeBoot } from '../boot/support/boot-environment';
import { waitFor } from '../boot/support/boot-instance';
import { buildHarnessLayer } from '../boot/support/harness-layer';
import { baseRootfs } from '../boot/support/rootfs';
import { StageBoot } from '../boot/support/stage-boot';
import { policyBodyFor } from '../boot/support/stack-policy-stand-in';
import { Rehearsal } from './support/rehearsal';
import { blocksUnder, runbookBlocks } from './support/runbook-blocks';
import { WriteLedger } from './support/write-ledger';

/**
 * The runbook rehearsal for 1 → 10: the commands of docs/runbooks/1-to-10.md,
 * read from the file, run in order against a stage-1 instance booted from its
 * template (PostgreSQL on its data volume), a second PostgreSQL standing in
 * for RDS and Secrets Manager's stand-in, with a write ledger running through
 * the step and the rollback. A runbook edit that breaks a step fails here.
 */
const MINUTE = 60_000;
const RUNBOOK = join(__dirname, '..', '..', 'docs', 'runbooks', '1-to-10.md');
const workDir = join(tmpdir(), `runbook-1-to-10-${process.pid}`);
const log = (line: string) => process.stdout.write(`[runbook 1→10] ${line}\n`);

describeBoot('runbook 1 → 10, rehearsed from docs/runbooks/1-to-10.md', () => {
  let boot: StageBoot;
  let ledger: WriteLedger;
  let rehearsal: Rehearsal;
  const blocks = runbookBlocks(RUNBOOK);
  let photo: { id: string; userId: string };

  const readyz = async () => (await fetch(boot.apiUrl('/readyz'), { signal: AbortSignal.timeout(5_000) }).catch(() => undefined))?.status;
  const localPostgresActive = () => boot.instance.exec(['systemctl', 'is-active', '--quiet', 'postgresql']).status === 0;

  beforeAll(async () => {
    mkdirSync(workDir, { recursive: true });
    const apiBundleDir = join(workDir, 'api-bundle');
    buildApiBundle(apiBundleDir);
    const imageLayers = [buildHarnessLayer(join(workDir, 'harness-layer')), await baseRootfs(log)];
    boot = await StageBoot.prepare({ stage: '1', dir: join(workDir, 'instance'), imageLayers, apiBundleDir });
    boot.aws.setCfnHupMinute(2);
    await boot.instance.boot();
    const signal = await boot.signal(4 * MINUTE);
    if (signal.status !== 'SUCCESS') throw new Error(`stage 1 did not boot: ${signal.reason}\n${boot.diagnostics()}`);
    rehearsal = new Rehearsal({ boot, log, reviewMustPrint: /\*\*Verdict: needs a runbook\*\*/ });
    ledger = new WriteLedger(boot.api);
    // Data from before the step: a user with a photo whose bytes are on the data volume.
    const owner = await signUp(boot.api);
    photo = { id: await uploadPhoto(boot.api, owner), userId: owner.id };
    ledger.start();
  }, 6 * MINUTE);
  afterAll(async () => {
    await ledger?.stop();
    await boot?.destroy();
    rmSync(workDir, { recursive: true, force: true });
  }, 2 * MINUTE);

  test('pre-checks, steps and verification as written: the API serves from RDS afterwards, with every acknowledged write and the old photo', async () => {
    await rehearsal.run(blocksUnder(blocks, 'Pre-checks'));
    expect(rehearsal.snapshots).toEqual([boot.volume!.volumeId]);
    await rehearsal.run(blocksUnder(blocks, 'Steps'));

    expect(boot.stackStages).toEqual({ 'graminsta-Network': '10', 'graminsta-Data': '10', 'graminsta-App': '10', 'graminsta-Monitoring': '10' });
    // The runbook's deploy of Monitoring at 10 set the three stacks' policies from the 10 templates (Data's now names the database).
    const protectedStacks = ['graminsta-App', 'graminsta-Data', 'graminsta-Network'];
    expect([...boot.stackPolicies.keys()].sort()).toEqual(protectedStacks);
    for (const stack of protectedStacks) expect({ stack, policy: boot.stackPolicies.get(stack) }).toEqual({ stack, policy: policyBodyFor(boot.templates['graminsta-Monitoring'], stack) });
    expect(boot.env.DATABASE_SECRET_ARN).toBe(boot.databaseSecretArn);
    expect(await readyz()).toBe(200);
    expect(localPostgresActive()).toBe(false);
    // The record the instance made when it left stage 1 (the API compared it with the copy).
    expect(JSON.parse(boot.instance.readFile(`${API_PATHS.dataDir}/${STAGE_ONE_RECORD_FILE}`)!).tables['public.users']).toBeGreaterThan(0);
    await rehearsal.run(blocksUnder(blocks, 'Verification'));

    // Served from RDS: the rows written at stage 1 were copied, new ones land there.
    const rds = boot.rds!;
    expect(await ledger.write()).toBe(true);
    const newest = ledger.acknowledged[ledger.acknowledged.length - 1];
    await expect(rds.query(rds.databaseName!, `SELECT username FROM users WHERE id = ${newest.id}`)).resolves.toEqual([{ username: newest.username }]);
    expect(await ledger.missing()).toEqual([]);
    await expect(getJson(boot.api, `/api/users/${photo.userId}`)).resolves.toMatchObject({ photoCount: 1 });
    await expect(getBytes(boot.api, `/api/photos/${photo.id}/content`)).resolves.toEqual(TINY_PNG);
    log(`after the step: ${ledger.summary()}`);
  }, 20 * MINUTE);

  test('rollback after step 4 as written: back on the local database with the writes made on RDS, none lost', async () => {
    // Writes that exist only in RDS until the rollback copies them back.
    await waitFor('writes acknowledged on RDS', MINUTE, async () => ((await ledger.write()) && ledger.acknowledged.length > 3) || undefined);
    const onRds = ledger.acknowledged.length;
    await rehearsal.run(blocksUnder(blocks, 'Rollback', 'After step 4'));

    expect(boot.stackStages['graminsta-App']).toBe('1');
    await waitFor('the API on the local database', 2 * MINUTE, async () => ((await readyz()) === 200 && localPostgresActive()) || undefined, 1000);
    expect(boot.env.DATABASE_URL).toMatch(/host=\/run\/postgresql/);
    expect(boot.instance.readFile(`${API_PATHS.dataDir}/${STAGE_ONE_RECORD_FILE}`)).toBeUndefined();
    expect(await ledger.write()).toBe(true);
    await ledger.stop();
    expect(ledger.acknowledged.length).toBeGreaterThan(onRds);
    expect(await ledger.missing()).toEqual([]);
    expect(ledger.unexpectedOutcomes()).toEqual({});
    await expect(getBytes(boot.api, `/api/photos/${photo.id}/content`)).resolves.toEqual(TINY_PNG);
    log(`after the rollback: ${ledger.summary()}`);
  }, 20 * MINUTE);
});
