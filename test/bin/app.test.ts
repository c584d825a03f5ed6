import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs bin/app.ts the way the CDK CLI does: context in CDK_CONTEXT_JSON, output in CDK_OUTDIR. */
function runApp(context: Record<string, unknown>, cdkEnv: Record<string, string> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'graminsta-bin-test-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir };
  delete env.CDK_DEFAULT_ACCOUNT;
  delete env.CDK_DEFAULT_REGION;
  Object.assign(env, cdkEnv);
  const result = spawnSync(TSX, [join(ROOT, 'bin', 'app.ts')], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  const files = existsSync(outdir) ? readdirSync(outdir) : [];
  const manifest = files.includes('manifest.json') ? JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) : undefined;
  rmSync(outdir, { recursive: true, force: true });
  return { status: result.status, stderr: result.stderr.trim(), files, manifest };
}

const VALID = '1|10|100|1k|10k|100k|1m|10m';

describe('bin/app.ts', () => {
  test.each([
    ['no stage', {}, 'error: no stage: pass -c stage=<' + VALID + '>'],
    ['an unknown stage', { stage: '2' }, 'error: unknown stage "2": pass -c stage=<' + VALID + '>'],
    ['a stage in the wrong case', { stage: '1K' }, 'error: unknown stage "1K" (did you mean 1k?): pass -c stage=<' + VALID + '>'],
  ])('with %s prints one line naming the valid stages (and the likely one), exits non-zero and synthesizes nothing', (_label, context, message) => {
    const { status, stderr, files } = runApp(context);
    expect(status).toBe(1);
    expect(stderr).toBe(message);
    expect(files).toEqual([]);
  });

  test('without a stage, for a CLI command that builds no stacks (ls, bootstrap, destroy), writes the four stacks by name only, each refusing a deploy', () => {
    const { status, stderr, manifest } = runApp({ 'aws:cdk:bundling-stacks': [], appName: 'demo' });
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    const stacks = Object.entries(manifest.artifacts as Record<string, any>).filter(([, a]) => a.type === 'aws:cloudformation:stack');
    expect(stacks.map(([name]) => name)).toEqual(['demo-Network', 'demo-Data', 'demo-App', 'demo-Monitoring']);
    // Deployment order, so that `cdk destroy --all` goes the other way.
    expect(stacks.map(([, a]) => (a.dependencies ?? []).filter((d: string) => !d.endsWith('.assets')))).toEqual([[], ['demo-Network'], ['demo-Data'], ['demo-App']]);
  });

  test('the names-only templates hold no stage, and a resource and a failing rule so that no deploy can empty a stack', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'graminsta-bin-test-'));
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }), CDK_OUTDIR: outdir };
      delete env.CDK_DEFAULT_ACCOUNT;
      const result = spawnSync(TSX, [join(ROOT, 'bin', 'app.ts')], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
      expect(result.status).toBe(0);
      const template = JSON.parse(readFileSync(join(outdir, 'graminsta-App.template.json'), 'utf8'));
      expect(Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type).filter((t) => t !== 'AWS::CDK::Metadata')).toEqual([
        'AWS::CloudFormation::WaitConditionHandle',
      ]);
      expect(template.Rules.StageRequired.Assertions[0].Assert).toEqual({ 'Fn::Equals': [{ Ref: 'BootstrapVersion' }, 'no-stage'] });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('without a stage, for a command that builds stacks (synth, diff, deploy), refuses as before', () => {
    const { status, stderr, files } = runApp({ 'aws:cdk:bundling-stacks': ['**'] });
    expect(status).toBe(1);
    expect(stderr).toBe('error: no stage: pass -c stage=<' + VALID + '>');
    expect(files).toEqual([]);
  });

  test('without a stage, a bad appName is still refused', () => {
    const { status, stderr } = runApp({ 'aws:cdk:bundling-stacks': [], appName: '9lives' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^error: invalid appName "9lives"/);
  });

  test('rejects a bad optional value the same way', () => {
    const { status, stderr, files } = runApp({ stage: '1', alarmEmail: 'not-an-address' });
    expect(status).toBe(1);
    expect(stderr).toBe('error: invalid alarmEmail "not-an-address": expected an e-mail address');
    expect(files).toEqual([]);
  });

  test('rejects a confirmation that is not a runbook id or <from>-to-<to>, building nothing', () => {
    const { status, stderr, files } = runApp({ stage: '10', confirm: 'yes' });
    expect(status).toBe(1);
    expect(stderr).toBe('error: invalid confirm "yes": expected a runbook\'s id (1-to-10) or <from>-to-<to> (10-to-1), as the runbook writes it');
    expect(files).toEqual([]);
  });

  const TWO_REGIONS = { stage: '10m', regions: 'us-east-1,eu-west-1', domainName: 'app.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123', hostedZoneId: 'Z0123456789ABCDEFGHIJ' };
  test.each([
    ['without regions', { ...TWO_REGIONS, regions: undefined }, 'error: stage 10m needs regions: pass -c regions=<home>,<second> (e.g. us-east-1,eu-west-1)'],
    ['with one region', { ...TWO_REGIONS, regions: 'us-east-1' }, 'error: invalid regions "us-east-1": expected two AWS regions, home first (us-east-1,eu-west-1)'],
    ['with a made-up region', { ...TWO_REGIONS, regions: 'us-east-1,europe' }, 'error: invalid regions "us-east-1,europe": expected two AWS regions, home first (us-east-1,eu-west-1)'],
    ['with the same region twice', { ...TWO_REGIONS, regions: 'eu-west-1,eu-west-1' }, 'error: invalid regions "eu-west-1,eu-west-1": the second region must differ from the home region'],
    ['without domainName (nor certificateArn)', { ...TWO_REGIONS, domainName: undefined, certificateArn: undefined }, 'error: stage 10m needs domainName: pass -c domainName=<name in the hosted zone> (and certificateArn)'],
    ['with a bad domainName', { ...TWO_REGIONS, domainName: 'App.Example.com' }, 'error: invalid domainName "App.Example.com": expected a lower-case DNS name such as app.example.com'],
    ['without hostedZoneId', { ...TWO_REGIONS, hostedZoneId: undefined }, 'error: stage 10m needs hostedZoneId: pass -c hostedZoneId=<the public Route 53 zone of app.example.com>'],
    ['with a bad hostedZoneId', { ...TWO_REGIONS, hostedZoneId: 'zone-1' }, 'error: invalid hostedZoneId "zone-1": expected a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ'],
    ['regions at a one-region stage', { stage: '1m', regions: 'us-east-1,eu-west-1' }, 'error: regions is for stage 10m (two regions); stage 1m runs in one region: leave regions out'],
  ])('stage 10m %s: one line naming the key, exit 1, nothing synthesized', (_label, context, message) => {
    const { status, stderr, files } = runApp(Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined)));
    expect({ status, stderr, files }).toEqual({ status: 1, stderr: message, files: [] });
  });

  test('stage 10m synthesizes the home stacks in the home region and the second region\'s three, named with the region, without context lookups, cdk-nag passing', () => {
    const { status, stderr, manifest } = runApp({ ...TWO_REGIONS, regions: 'eu-central-1,ap-southeast-2' }, { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'us-west-2' });
    expect({ status, stderr: stderr.split('\n').filter((l) => l && !l.startsWith('Bundling')) }).toEqual({ status: 0, stderr: [] });
    const stacks = Object.entries(manifest.artifacts as Record<string, any>).filter(([, a]) => a.type === 'aws:cloudformation:stack');
    expect(Object.fromEntries(stacks.map(([name, a]) => [name, a.environment]))).toEqual({
      'graminsta-Network': 'aws://123456789012/eu-central-1',
      'graminsta-Data': 'aws://123456789012/eu-central-1',
      'graminsta-App': 'aws://123456789012/eu-central-1',
      'graminsta-Monitoring': 'aws://123456789012/eu-central-1',
      'graminsta-Edge': 'aws://123456789012/us-east-1',
      'graminsta-ap-southeast-2-Network': 'aws://123456789012/ap-southeast-2',
      'graminsta-ap-southeast-2-Monitoring': 'aws://123456789012/ap-southeast-2',
      'graminsta-ap-southeast-2-Data': 'aws://123456789012/ap-southeast-2',
      'graminsta-ap-southeast-2-App': 'aws://123456789012/ap-southeast-2',
    });
    expect(manifest.missing).toBeUndefined();
  });

  test('without a stage but with regions, the names-only app lists the second region\'s stacks too, in that region, after the home ones', () => {
    const { status, manifest } = runApp({ 'aws:cdk:bundling-stacks': [], regions: 'us-east-1,eu-west-1' });
    expect(status).toBe(0);
    const stacks = Object.entries(manifest.artifacts as Record<string, any>).filter(([, a]) => a.type === 'aws:cloudformation:stack');
    expect(stacks.map(([name, a]) => `${name} ${a.environment}`)).toEqual([
      'graminsta-Network aws://unknown-account/us-east-1',
      'graminsta-Data aws://unknown-account/us-east-1',
      'graminsta-App aws://unknown-account/us-east-1',
      'graminsta-Monitoring aws://unknown-account/us-east-1',
      'graminsta-eu-west-1-Network aws://unknown-account/eu-west-1',
      'graminsta-eu-west-1-Data aws://unknown-account/eu-west-1',
      'graminsta-eu-west-1-App aws://unknown-account/eu-west-1',
      'graminsta-eu-west-1-Monitoring aws://unknown-account/eu-west-1',
    ]);
  });

  test('synthesizes the four stacks of a valid stage, named after appName, in the CLI account/region (the Edge stack in the account and us-east-1), without context lookups, cdk-nag passing', () => {
    // cdk-nag runs here too: acknowledgements naming account-specific ARNs (the CDK assets bucket) must match a pinned account.
    const { status, stderr, manifest } = runApp({ stage: '1m', appName: 'demo' }, { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' });
    expect({ status, stderr: stderr.split('\n').filter((l) => !l.startsWith('Bundling')) }).toEqual({ status: 0, stderr: [] });
    const stacks = Object.entries(manifest.artifacts as Record<string, any>).filter(([, a]) => a.type === 'aws:cloudformation:stack');
    expect(stacks.map(([name]) => name).sort()).toEqual(['demo-App', 'demo-Data', 'demo-Edge', 'demo-Monitoring', 'demo-Network']);
    for (const [name, artifact] of stacks) expect(artifact.environment).toBe(name === 'demo-Edge' ? 'aws://123456789012/us-east-1' : 'aws://123456789012/eu-west-1');
    // A lookup (fromLookup, AZ names) would be listed here and need credentials.
    expect(manifest.missing).toBeUndefined();
  });
});
