import { App, type Environment, Stack, Tags } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyCompliance } from './compliance';
import { API_PATHS } from './constructs/api-delivery/api-environment';
import { AppStack } from './stacks/app-stack';
import { DataStack } from './stacks/data-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { NetworkStack } from './stacks/network-stack';
import { stageSpec, type StageName, type StageSpec } from '../stages/ladder';

export interface BuildStageAppProps {
  /** One of the seven stage names; anything else throws a one-line error naming them. */
  readonly stage: StageName | string;
  /** Stack-name prefix. @default 'graminsta' */
  readonly appName?: string;
  /** E-mail address subscribed to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /** Custom domain for CloudFront (stage 100+); needs `certificateArn`. @default the CloudFront domain */
  readonly domainName?: string;
  /** ACM certificate in us-east-1 covering `domainName`. @default none */
  readonly certificateArn?: string;
  /** Cloud assembly directory. @default a temporary directory (CDK's default) */
  readonly outdir?: string;
  /** Account/region; stacks stay environment-agnostic when absent. @default environment-agnostic */
  readonly env?: Environment;
  /**
   * A directory holding an already built API bundle (`server.js`) to ship
   * instead of building `api/` with esbuild. Used by tests that compare two bundles.
   * @default builds the API with `buildApiBundle()`
   */
  readonly apiBundleDir?: string;
}

export interface StageApp {
  readonly app: App;
  readonly spec: StageSpec;
  /** Network, Data, App, Monitoring: in deployment order. */
  readonly stacks: Stack[];
}

export const DEFAULT_APP_NAME = 'graminsta';
const APP_NAME = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The feature flags from cdk.json, so apps built in-process (tests, tools) match `cdk synth`. */
function featureFlags(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** Throws a one-line error for invalid optional values; nothing is built then. */
function validate(props: BuildStageAppProps, appName: string): void {
  if (!APP_NAME.test(appName)) {
    throw new Error(`invalid appName "${appName}": use a letter then up to 39 letters, digits or hyphens`);
  }
  if (props.alarmEmail !== undefined && !EMAIL.test(props.alarmEmail)) {
    throw new Error(`invalid alarmEmail "${props.alarmEmail}": expected an e-mail address`);
  }
  if ((props.domainName === undefined) !== (props.certificateArn === undefined)) {
    throw new Error('domainName and certificateArn go together: pass both or neither');
  }
  if (props.certificateArn !== undefined && !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(props.certificateArn)) {
    throw new Error(`invalid certificateArn "${props.certificateArn}": CloudFront needs an ACM certificate ARN in us-east-1`);
  }
}

/**
 * Builds one stage's four stacks. Stack names never contain the stage, so moving
 * up a stage updates the same stacks in place.
 */
export function buildStageApp(props: BuildStageAppProps): StageApp {
  const spec = stageSpec(props.stage);
  const appName = props.appName ?? DEFAULT_APP_NAME;
  validate(props, appName);

  // Path metadata (as the CLI enables it) names each resource's construct path in the template.
  const app = new App({ outdir: props.outdir, context: { ...featureFlags(), 'aws:cdk:enable-path-metadata': true } });
  const common = { spec, env: props.env };

  const network = new NetworkStack(app, `${appName}-Network`, {
    ...common,
    description: `${appName}: VPC, flow logs and security groups`,
  });
  const data = new DataStack(app, `${appName}-Data`, {
    ...common,
    description: `${appName}: databases, cache and queues (stateful)`,
    vpc: network.network.vpc,
    securityGroups: network.securityGroups,
  });
  const appStack = new AppStack(app, `${appName}-App`, {
    ...common,
    description: `${appName}: API compute, buckets, CDN and functions`,
    vpc: network.network.vpc,
    securityGroups: network.securityGroups,
    database: data.endpoints,
    cache: data.cache,
    workQueue: data.workQueue,
    domainName: props.domainName,
    certificateArn: props.certificateArn,
    apiBundleDir: props.apiBundleDir,
  });
  const monitoring = new MonitoringStack(app, `${appName}-Monitoring`, {
    ...common,
    description: `${appName}: alarms and dashboard`,
    alarmEmail: props.alarmEmail,
    resources: {
      instance: appStack.server?.instance,
      instanceDataPaths: appStack.server ? [API_PATHS.dataDir] : undefined,
      fleet:
        appStack.fleet && appStack.loadBalancer
          ? {
              loadBalancer: appStack.loadBalancer.loadBalancer,
              targetGroup: appStack.fleet.targetGroup,
              autoScalingGroupName: appStack.fleet.autoScalingGroup.autoScalingGroupName,
            }
          : undefined,
      databases: data.databases,
      cache: data.cache ? { replicationGroupId: data.cache.replicationGroup.ref } : undefined,
      functions: [
        ...(appStack.media?.thumbnails ? [{ name: 'Thumbnails', function: appStack.media.thumbnails.function }] : []),
        ...(appStack.queueWorker ? [{ name: 'QueueWorker', function: appStack.queueWorker.function }] : []),
      ],
      queues: [
        ...(appStack.media?.thumbnails ? [{ name: 'ThumbnailFailures', deadLetterQueue: appStack.media.thumbnails.failureQueue }] : []),
        ...(data.workQueue ? [{ name: 'Work', queue: data.workQueue.queue, deadLetterQueue: data.workQueue.deadLetterQueue }] : []),
      ],
      distribution: appStack.site?.distribution,
    },
  });
  data.addStackDependency(network);
  appStack.addStackDependency(data);
  monitoring.addStackDependency(appStack);

  const stacks: Stack[] = [network, data, appStack, monitoring];
  for (const stack of stacks) {
    Tags.of(stack).add('app', appName);
  }
  applyCompliance(app, spec);
  return { app, spec, stacks };
}
