import { App, type Environment, Stack, Tags } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyCompliance } from './compliance';
import { API_PATHS } from './constructs/compute';
import { DeployGuard } from './constructs/deploy-guard/deploy-guard';
import { StackPolicy } from './constructs/deploy-guard/stack-policy';
import { AppStack } from './stacks/app-stack';
import { DataStack } from './stacks/data-stack';
import { EdgeStack } from './stacks/edge-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { NetworkStack } from './stacks/network-stack';
import type { StageSpec } from '../stages/ladder';
import { type AppOptions, stackName, validateOptions } from './app-options';

export { DEFAULT_APP_NAME } from './app-options';

export interface BuildStageAppProps extends AppOptions {
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
  /**
   * Network, Data, App, Monitoring (in deployment order, in the account's
   * region), then from stage 100 Edge (in us-east-1), which CDK deploys
   * before App (App depends on it).
   */
  readonly stacks: Stack[];
}

/** The feature flags from cdk.json, so apps built in-process (tests, tools) match `cdk synth`. */
function featureFlags(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/**
 * Builds one stage's stacks (four, and the Edge stack from stage 100). Stack
 * names never contain the stage, so moving up a stage updates the same stacks
 * in place.
 */
export function buildStageApp(props: BuildStageAppProps): StageApp {
  const { spec, appName, originSecretGeneration, confirm } = validateOptions(props);

  // Path metadata (as the CLI enables it) names each resource's construct path in the template.
  const app = new App({ outdir: props.outdir, context: { ...featureFlags(), 'aws:cdk:enable-path-metadata': true } });
  const common = { spec, env: props.env };
  // The four regional stacks hold state (databases, volumes, buckets, keys, log groups): CloudFormation
  // refuses to delete them until an operator lifts the protection on purpose (README, "Removing the app").
  const stateful = { ...common, terminationProtection: true };

  const network = new NetworkStack(app, stackName(appName, 'Network'), {
    ...stateful,
    description: `${appName}: VPC, flow logs and security groups`,
  });
  const data = new DataStack(app, stackName(appName, 'Data'), {
    ...stateful,
    description: `${appName}: databases, cache and queues (stateful)`,
    vpc: network.network.vpc,
    securityGroups: network.securityGroups,
  });
  // CloudFront's web ACL lives in us-east-1, whatever the region of the other stacks.
  const edge = spec.edge.firewall
    ? new EdgeStack(app, `${appName}-Edge`, {
        ...common,
        description: `${appName}: the CloudFront distribution's web ACL (us-east-1)`,
        firewall: spec.edge.firewall,
      })
    : undefined;
  const appStack = new AppStack(app, stackName(appName, 'App'), {
    ...stateful,
    description: `${appName}: API compute, buckets, CDN and functions`,
    vpc: network.network.vpc,
    securityGroups: network.securityGroups,
    database: data.endpoints,
    cache: data.cache,
    workQueue: data.workQueue,
    domainName: props.domainName,
    certificateArn: props.certificateArn,
    apiBundleDir: props.apiBundleDir,
    originSecretGeneration,
    webAclArn: edge?.webAclArn(),
  });
  const compute = appStack.compute;
  const monitoring = new MonitoringStack(app, stackName(appName, 'Monitoring'), {
    ...stateful,
    description: `${appName}: alarms and dashboard`,
    alarmEmail: props.alarmEmail,
    encryptionKey: network.telemetryKey.key,
    resources: {
      instance: compute.kind === 'single-instance' ? compute.server.instance : undefined,
      instanceDataPaths: compute.kind === 'single-instance' ? [API_PATHS.dataDir] : undefined,
      fleet:
        compute.kind === 'fleet'
          ? {
              loadBalancer: compute.loadBalancer.loadBalancer,
              loadBalancerFullName: compute.loadBalancer.loadBalancer.loadBalancerFullName,
              targetGroupFullName: compute.fleet.targetGroup.targetGroupFullName,
              autoScalingGroupName: compute.fleet.autoScalingGroup.autoScalingGroupName,
            }
          : undefined,
      databases: data.databases,
      cache: data.cache ? { replicationGroupId: data.cache.replicationGroup.ref } : undefined,
      functions: [
        ...(appStack.media?.thumbnails ? [{ name: 'Thumbnails', function: appStack.media.thumbnails.function }] : []),
      ],
      queues: [
        ...(appStack.media?.thumbnails ? [{ name: 'ThumbnailFailures', deadLetterQueue: appStack.media.thumbnails.failureQueue }] : []),
        ...(data.workQueue ? [{ name: 'Work', queue: data.workQueue.queue, deadLetterQueue: data.workQueue.deadLetterQueue }] : []),
      ],
      distribution: appStack.site.distribution,
    },
  });
  data.addStackDependency(network);
  appStack.addStackDependency(data);
  // App reads the web ACL's ARN through a hand-written cross-region Fn::GetStackOutput, which CDK does not track.
  if (edge) appStack.addStackDependency(edge);
  monitoring.addStackDependency(appStack);

  const stacks: Stack[] = [network, data, appStack, monitoring];
  // Each of the four refuses, inside CloudFormation, a stage change that needs a runbook's
  // confirmation (runbooks deploy stacks one at a time, so each keeps its own stage). Not the
  // Edge stack: it holds no state, and us-east-1 has no bootstrap for the guard's function.
  const guards = stacks.map((stack) => new DeployGuard(stack, 'DeployGuard', { stage: spec.name, confirm }));
  // Network, Data and App get a stack policy that denies replacing their stateful resources, set
  // from Monitoring (deployed after them, by its guard's function), never from inside the stack
  // being updated (lib/constructs/deploy-guard/stack-policy.ts says why). Monitoring itself has
  // termination protection only (docs/stage-safety.md).
  const monitoringGuard = guards[stacks.indexOf(monitoring)];
  for (const [kind, target] of [['Network', network], ['Data', data], ['App', appStack]] as const) {
    new StackPolicy(monitoring, `${kind}StackPolicy`, { guard: monitoringGuard, target, logicalIdPrefix: kind });
  }
  // The telemetry key is regional: it encrypts the log groups of these four stacks, not the Edge stack's.
  for (const stack of stacks) network.encryptLogGroupsOf(stack);
  if (edge) stacks.push(edge);
  for (const stack of stacks) {
    Tags.of(stack).add('app', appName);
  }
  applyCompliance(app, spec);
  return { app, spec, stacks };
}
