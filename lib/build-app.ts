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
import { SecondRegionAppStack } from './stacks/second-region-app-stack';
import { SecondRegionDataStack } from './stacks/second-region-data-stack';
import { SecondRegionNetworkStack } from './stacks/second-region-network-stack';
import { regionalApiUrl } from './constructs/regions/region-names';
import type { SecondRegionSpec, StageSpec } from '../stages/ladder';
import type { RegionConfigParameterProps } from './constructs/regions/region-config-parameter';
import { type AppOptions, regionalStackName, stackName, validateOptions } from './app-options';

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
   * region, at 10m the home region), then from stage 100 Edge (in us-east-1),
   * which CDK deploys before App (App depends on it), then at 10m the second
   * region's Network, Data, App and Monitoring.
   */
  readonly stacks: Stack[];
}

/**
 * Guards each of a region's stacks (its DeployGuard refuses, inside CloudFormation, a stage change
 * that needs a runbook's confirmation: runbooks deploy stacks one at a time, so each keeps its own
 * stage), and gives Network, Data and App a stack policy that denies replacing their stateful
 * resources, set from that region's Monitoring (deployed after them, by its guard's function),
 * never from inside the stack being updated (lib/constructs/deploy-guard/stack-policy.ts says why).
 * Monitoring itself has termination protection only (docs/stage-safety.md).
 */
function guardRegion(
  stage: StageSpec['name'],
  confirm: string | undefined,
  region: { readonly network: Stack; readonly data: Stack; readonly app: Stack; readonly monitoring: Stack },
): void {
  const guard = (stack: Stack) => new DeployGuard(stack, 'DeployGuard', { stage, confirm });
  for (const stack of [region.network, region.data, region.app]) guard(stack);
  const monitoringGuard = guard(region.monitoring);
  for (const [kind, target] of [['Network', region.network], ['Data', region.data], ['App', region.app]] as const) {
    new StackPolicy(region.monitoring, `${kind}StackPolicy`, { guard: monitoringGuard, target, logicalIdPrefix: kind });
  }
}

/** The feature flags from cdk.json, so apps built in-process (tests, tools) match `cdk synth`. */
function featureFlags(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/** Stage 10m's regions, domain and zone, with the stage's second-region spec. */
interface TwoRegions {
  readonly home: string;
  readonly secondRegion: string;
  readonly second: SecondRegionSpec;
  readonly domainName: string;
  readonly hostedZoneId: string;
}

/** Stage 10m: the second region's Network and Data stacks, named with the region (never the stage), in that region. */
function buildSecondRegionData(
  app: App,
  appName: string,
  regions: TwoRegions,
  common: { readonly spec: StageSpec; readonly env: Environment },
  home: { readonly network: NetworkStack; readonly data: DataStack },
  regionConfig: RegionConfigParameterProps,
): { network: SecondRegionNetworkStack; data: SecondRegionDataStack } {
  const network = new SecondRegionNetworkStack(app, regionalStackName(appName, regions.secondRegion, 'Network'), {
    ...common,
    terminationProtection: true,
    description: `${appName}: VPC peered with the home region, security groups (${regions.secondRegion}, second region)`,
    second: regions.second,
    homeVpc: home.network.network.vpc,
    homeRegion: regions.home,
  });
  const data = new SecondRegionDataStack(app, regionalStackName(appName, regions.secondRegion, 'Data'), {
    ...common,
    terminationProtection: true,
    description: `${appName}: cross-region replicas, cache, queue, uploads replica (${regions.secondRegion}, second region; stateful)`,
    second: regions.second,
    vpc: network.network.vpc,
    securityGroups: network.securityGroups,
    homeRegion: regions.home,
    primaries: home.data.databases,
    credentialReplicaArns: home.data.replicaSecretArns(),
    regionConfig,
    domainName: regions.domainName,
  });
  data.addStackDependency(network);
  // It reads the home Data stack's credentials-replica outputs by hand-written Fn::GetStackOutput, which CDK does not track.
  data.addStackDependency(home.data);
  return { network, data };
}

/**
 * Stage 10m: `<app>-<region>-Monitoring`, the second region's alarms, dashboard and alarm topic, in
 * that region (CloudWatch alarms notify only a topic of their own region), built like home's from
 * that region's resources: its public origin's load balancer (where CloudFront's requests arrive),
 * its fleet, Redis, queue and cross-region replicas. Deployed after that region's App.
 */
function buildSecondRegionMonitoring(
  app: App,
  appName: string,
  regions: TwoRegions,
  common: { readonly spec: StageSpec; readonly env?: Environment },
  alarmEmail: string | undefined,
  second: { readonly network: SecondRegionNetworkStack; readonly data: SecondRegionDataStack; readonly app: SecondRegionAppStack },
): MonitoringStack {
  const origin = second.app.publicOrigin;
  const monitoring = new MonitoringStack(app, regionalStackName(appName, regions.secondRegion, 'Monitoring'), {
    ...common,
    terminationProtection: true,
    description: `${appName}: alarms and dashboard (${regions.secondRegion}, second region)`,
    secondRegion: regions.secondRegion,
    alarmEmail,
    encryptionKey: second.network.telemetryKey.key,
    resources: {
      fleet: {
        loadBalancer: origin.loadBalancer,
        loadBalancerFullName: origin.loadBalancer.loadBalancerFullName,
        targetGroupFullName: origin.targetGroup.targetGroupFullName,
        autoScalingGroupName: second.app.fleet.autoScalingGroup.autoScalingGroupName,
      },
      cache: { replicationGroupId: second.data.cache.replicationGroup.ref, shards: regions.second.cache.shards, replicasPerShard: regions.second.cache.replicasPerShard },
      crossRegionReplicas: {
        replicas: second.data.replicas.map((replica) => ({ name: replica.node.id, database: replica.database })),
        sourceRegion: regions.home,
        instanceClass: regions.second.replicaInstanceClass,
        maxLagSeconds: regions.second.replicaLagAlarmSeconds,
      },
      queues: [{ name: 'Work', queue: second.data.workQueue.queue, deadLetterQueue: second.data.workQueue.deadLetterQueue }],
    },
  });
  monitoring.addStackDependency(second.app);
  return monitoring;
}

/**
 * Builds one stage's stacks (four, and the Edge stack from stage 100). Stack
 * names never contain the stage, so moving up a stage updates the same stacks
 * in place.
 */
export function buildStageApp(props: BuildStageAppProps): StageApp {
  const { spec, appName, originSecretGeneration, confirm, regions, hostedZoneId } = validateOptions(props);

  // Path metadata (as the CLI enables it) names each resource's construct path in the template.
  const app = new App({ outdir: props.outdir, context: { ...featureFlags(), 'aws:cdk:enable-path-metadata': true } });
  // At 10m the home stacks live in the home region whatever the CLI's region is: the second region's
  // stacks read theirs by region (Fn::GetStackOutput), so both must be known at synth.
  const env: Environment | undefined = regions ? { account: props.env?.account, region: regions.home } : props.env;
  const common = { spec, env };

  const second = spec.regions?.second;
  const twoRegions: TwoRegions | undefined =
    regions && second && props.domainName && hostedZoneId
      ? { home: regions.home, secondRegion: regions.second, second, domainName: props.domainName, hostedZoneId }
      : undefined;
  const regionConfig: RegionConfigParameterProps | undefined = twoRegions && {
    parameterName: `/${appName}/region-config`,
    home: twoRegions.home,
    regions: [twoRegions.home, twoRegions.secondRegion].map((name) => ({ name, apiUrl: regionalApiUrl(name, twoRegions.domainName) })),
  };
  // The regional stacks hold state (databases, volumes, buckets, keys, log groups): CloudFormation
  // refuses to delete them until an operator lifts the protection on purpose (README, "Removing the app").
  const stateful = { ...common, terminationProtection: true };

  const network = new NetworkStack(app, stackName(appName, 'Network'), {
    ...stateful,
    description: `${appName}: VPC, flow logs and security groups`,
    twoRegions: twoRegions && { secondVpcCidr: twoRegions.second.vpcCidr },
  });
  const data = new DataStack(app, stackName(appName, 'Data'), {
    ...stateful,
    description: `${appName}: databases, cache and queues (stateful)`,
    vpc: network.network.vpc,
    securityGroups: network.securityGroups,
    regionConfig,
    secretReplicaRegion: twoRegions?.secondRegion,
  });
  // The second region's Network and Data deploy before the home App, which routes to the one and replicates to the other.
  const secondEnv: Environment | undefined = twoRegions && { account: props.env?.account, region: twoRegions.secondRegion };
  const secondStacks =
    twoRegions && secondEnv && regionConfig ? buildSecondRegionData(app, appName, twoRegions, { spec, env: secondEnv }, { network, data }, regionConfig) : undefined;
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
    twoRegions:
      twoRegions && secondStacks && data.regionConfig
        ? {
            domainName: twoRegions.domainName,
            hostedZoneId: twoRegions.hostedZoneId,
            regionConfig: data.regionConfig.parameter,
            secondRegion: twoRegions.secondRegion,
            uploadsReplica: secondStacks.data.uploadsReplica,
            peeringConnectionId: secondStacks.network.peering.connection.ref,
            secondVpcCidr: twoRegions.second.vpcCidr,
          }
        : undefined,
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
      // At 10m users' requests reach the fleet through the public origin (latency-routed); the internal load
      // balancer then carries only the writes the other region forwards. The alarms watch where the users are.
      fleet:
        compute.kind === 'fleet'
          ? {
              loadBalancer: appStack.publicOrigin?.loadBalancer ?? compute.loadBalancer.loadBalancer,
              loadBalancerFullName: (appStack.publicOrigin?.loadBalancer ?? compute.loadBalancer.loadBalancer).loadBalancerFullName,
              targetGroupFullName: (appStack.publicOrigin?.targetGroup ?? compute.fleet.targetGroup).targetGroupFullName,
              autoScalingGroupName: compute.fleet.autoScalingGroup.autoScalingGroupName,
            }
          : undefined,
      databases: data.databases,
      cache: data.cache && spec.cache ? { replicationGroupId: data.cache.replicationGroup.ref, shards: spec.cache.shards, replicasPerShard: spec.cache.replicasPerShard } : undefined,
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
  // Not the Edge stack: it holds no state, and us-east-1 has no bootstrap for the guard's function.
  guardRegion(spec.name, confirm, { network, data, app: appStack, monitoring });
  // The telemetry key is regional: it encrypts the log groups of these four stacks, not the Edge stack's.
  for (const stack of stacks) network.encryptLogGroupsOf(stack);
  if (edge) stacks.push(edge);
  if (twoRegions && secondStacks) {
    if (!appStack.media) throw new Error('two regions need the uploads bucket');
    const secondApp = new SecondRegionAppStack(app, regionalStackName(appName, twoRegions.secondRegion, 'App'), {
      spec,
      env: secondEnv,
      terminationProtection: true,
      description: `${appName}: API fleet, load balancers and latency record (${twoRegions.secondRegion}, second region)`,
      second: twoRegions.second,
      vpc: secondStacks.network.network.vpc,
      securityGroups: secondStacks.network.securityGroups,
      data: secondStacks.data,
      originSecretReplicaArn: appStack.originSecretReplicaArn(),
      homeUploads: appStack.media,
      homeRegion: twoRegions.home,
      mediaBaseUrl: `https://${twoRegions.domainName}/`,
      domainName: twoRegions.domainName,
      hostedZoneId: twoRegions.hostedZoneId,
      apiBundleDir: props.apiBundleDir,
    });
    secondApp.addStackDependency(secondStacks.data);
    // It reads the home App's origin-secret replica output by hand-written Fn::GetStackOutput, which CDK does not track.
    secondApp.addStackDependency(appStack);
    const secondMonitoring = buildSecondRegionMonitoring(app, appName, twoRegions, { spec, env: secondEnv }, props.alarmEmail, { ...secondStacks, app: secondApp });
    // The same guards and stack policies as at home, set in that region by its own Monitoring stack.
    guardRegion(spec.name, confirm, { network: secondStacks.network, data: secondStacks.data, app: secondApp, monitoring: secondMonitoring });
    const regional = [secondStacks.network, secondStacks.data, secondApp, secondMonitoring];
    for (const stack of regional) secondStacks.network.encryptLogGroupsOf(stack);
    stacks.push(...regional);
  }
  for (const stack of stacks) {
    Tags.of(stack).add('app', appName);
  }
  applyCompliance(app, spec);
  return { app, spec, stacks };
}
