import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Token } from 'aws-cdk-lib';
import { EXAMPLE_REGION_OPTIONS } from '../../../lib/app-options';
import { buildStageApp } from '../../../lib/build-app';
import { CloudFormationStandIn } from './cloudformation-stand-in';
import { instanceBootstrap } from './instance-template';
import { parseEnvFile } from './stage-boot';

type Template = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * What booting stage 10m's second-region fleet instance starts from (test/boot/boot.test.ts,
 * "stage 10m"): its launch template's user data and cfn-init metadata resolve as CloudFormation
 * would resolve them in that region, the values it reads from the home region's stacks carrying
 * the home region. The test names the variables it reads rather than hard-coding them.
 */
describe('the CloudFormation stand-in at stage 10m', () => {
  const [home, second] = EXAMPLE_REGION_OPTIONS.regions.split(',');
  const secondApp = `graminsta-${second}-App`;
  let dir: string;
  let templates: Record<string, Template>;
  let stackRegions: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cfn-stand-in-10m-'));
    const { app, stacks } = buildStageApp({ stage: '10m', outdir: dir, ...EXAMPLE_REGION_OPTIONS });
    const assembly = app.synth();
    templates = Object.fromEntries(stacks.map((s) => [s.stackName, assembly.getStackByName(s.stackName).template]));
    stackRegions = Object.fromEntries(stacks.filter((s) => !Token.isUnresolved(s.region)).map((s) => [s.stackName, s.region]));
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("the second region's fleet bootstrap resolves in its region; what it reads from home's stacks names its own region's copies", () => {
    expect(stackRegions).toMatchObject({ 'graminsta-App': home, 'graminsta-Data': home, [secondApp]: second, [`graminsta-${second}-Data`]: second });
    const cloudformation = new CloudFormationStandIn({ templates, stackRegions });
    const bootstrap = instanceBootstrap(cloudformation, secondApp);
    expect(bootstrap.resourceType).toBe('AWS::AutoScaling::AutoScalingGroup');
    expect(bootstrap.userData).toMatch(/cfn-init/);
    const init = bootstrap.metadata['AWS::CloudFormation::Init'] as Record<string, { files?: Record<string, { content?: unknown }> }>;
    const envFile = Object.values(init).map((c) => c?.files?.['/etc/graminsta/api.env']?.content).find((c) => typeof c === 'string');
    const env = parseEnvFile(String(envFile));
    // Read from home's stacks, but its own region's copies: the secrets' replicas (home's ARN, the region swapped).
    const inSecond = (arn: string) => arn.split(':').map((part, i) => (i === 3 ? second : part)).join(':');
    const homeSecret = (pattern: RegExp, stack: string) => cloudformation.ref(stack, Object.keys(templates[stack].Resources).find((id) => pattern.test(id))!);
    expect(env.DATABASE_SECRET_ARN).toBe(inSecond(homeSecret(/^DatabaseSecret[0-9A-F]{8}$/, 'graminsta-Data')));
    expect(env.ORIGIN_VERIFY_SECRET_ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:${second}:`));
    const ownBucket = Object.keys(templates[`graminsta-${second}-Data`].Resources).find((id) => /^UploadsReplica[0-9A-F]{8}$/.test(id))!;
    expect(env.UPLOADS_BUCKET).toBe(cloudformation.ref(`graminsta-${second}-Data`, ownBucket));
    // Its own: region, parameters, Redis, queue.
    expect(env.AWS_REGION).toBe(second);
    // Its replicas are its shard map's primaries (their host, in the SHARD_MAP_PARAMETER's value), not extra replicas.
    expect(env.DATABASE_REPLICA_HOSTS).toBeUndefined();
    expect(env.REDIS_URL).toMatch(new RegExp(`^rediss://clustercfg\\..*\\.${second}\\.cache\\.amazonaws\\.com:6379$`));
    expect(env.REDIS_AUTH_SECRET_ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:${second}:`));
    expect(env.WORK_QUEUE_URL).toMatch(new RegExp(`^https://sqs\\.${second}\\.amazonaws\\.com/`));
    for (const name of ['SHARD_MAP_PARAMETER', 'REGION_CONFIG_PARAMETER']) expect({ name, value: env[name] }).toEqual({ name, value: expect.stringMatching(/\S/) });
  });

  test('a reference to a stack in another region than it names fails, as CloudFormation would', () => {
    const wrong = { ...stackRegions, [`graminsta-${second}-Data`]: home };
    expect(() => instanceBootstrap(new CloudFormationStandIn({ templates, stackRegions: wrong }), secondApp)).toThrow(
      new RegExp(`${secondApp} reads graminsta-${second}-Data in ${second}, but graminsta-${second}-Data is in ${home}`),
    );
  });
});
