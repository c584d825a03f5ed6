#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { type AppOptions, parseRegions, validateAppName, validateOptions } from '../lib/app-options';
import { BUNDLING_STACKS_CONTEXT, buildNamesOnlyApp, buildsStacks } from '../lib/names-only-app';

/**
 * Entry point for `cdk synth|diff|deploy -c stage=<name>` (and for `cdk ls`,
 * `cdk bootstrap` and `cdk destroy`, which need no stage): the only place that
 * reads context and the environment. Bad input prints one line naming what is
 * valid and exits non-zero before anything is built or synthesized.
 */
function context(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function main(): void {
  // A bare App only to read `-c` values (the CLI passes them in CDK_CONTEXT_JSON); it never synthesizes.
  const reader = new App({ autoSynth: false });
  // The CLI always sets a region (us-east-1 when nothing is configured) but an
  // account only when it has credentials: pin the environment only then, so a
  // credential-free synth stays environment-agnostic.
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const env = account ? { account, region } : undefined;

  // `cdk ls`, `cdk bootstrap` and `cdk destroy` run the app too, but build no
  // stacks: without a stage they get the four stacks by name only.
  if (context(reader, 'stage') === undefined && !buildsStacks(reader.node.tryGetContext(BUNDLING_STACKS_CONTEXT))) {
    const regions = context(reader, 'regions');
    buildNamesOnlyApp({ appName: validateAppName(context(reader, 'appName')), outdir: reader.outdir, env, regions: regions === undefined ? undefined : parseRegions(regions) }).app.synth();
    return;
  }

  const options: AppOptions = {
    stage: context(reader, 'stage') ?? '',
    appName: context(reader, 'appName'),
    alarmEmail: context(reader, 'alarmEmail'),
    domainName: context(reader, 'domainName'),
    certificateArn: context(reader, 'certificateArn'),
    extraPrimaries: context(reader, 'extraPrimaries'),
    originSecretGeneration: context(reader, 'originSecretGeneration'),
    confirm: context(reader, 'confirm'),
    regions: context(reader, 'regions'),
    hostedZoneId: context(reader, 'hostedZoneId'),
  };
  validateOptions(options);

  // Loaded only for valid input: building the stacks pulls in most of aws-cdk-lib.
  const { buildStageApp } = require('../lib/build-app') as typeof import('../lib/build-app');
  const { app } = buildStageApp({ ...options, outdir: reader.outdir, env });
  app.synth();
}

try {
  main();
} catch (err) {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
