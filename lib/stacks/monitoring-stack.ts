import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { PostgresDatabase } from '../constructs/database/postgres-database';
import { AlarmTopic } from '../constructs/monitoring/alarm-topic';
import { apiRequestAlarms } from '../constructs/monitoring/api-request-alarms';
import { businessGraphs } from '../constructs/monitoring/business-graphs';
import { cacheAlarms } from '../constructs/monitoring/cache-alarms';
import { climbAlarm } from '../constructs/monitoring/climb-alarm';
import { databaseAlarms } from '../constructs/monitoring/database-alarms';
import { distributionGraphs } from '../constructs/monitoring/distribution-graphs';
import { fleetAlarms } from '../constructs/monitoring/fleet-alarms';
import { functionAlarms } from '../constructs/monitoring/function-alarms';
import { instanceAlarms } from '../constructs/monitoring/instance-alarms';
import { queueAlarms } from '../constructs/monitoring/queue-alarms';
import { StageMonitoring } from '../constructs/monitoring/stage-monitoring';
import { addStackOutput } from './stack-outputs';
import { StageStack, type StageStackProps } from './stage-stack';

/** What there is to watch, as typed references into the other stacks. */
export interface MonitoredResources {
  /** Stages 1-100. */
  readonly instance?: ec2.IInstance;
  /** Mount points on the instance besides `/`. */
  readonly instanceDataPaths?: readonly string[];
  /** 1k+. */
  readonly fleet?: {
    readonly loadBalancer: elbv2.IApplicationLoadBalancer;
    readonly loadBalancerFullName: string;
    readonly targetGroupFullName: string;
    readonly autoScalingGroupName: string;
  };
  readonly databases?: readonly PostgresDatabase[];
  /** 100k+. */
  readonly cache?: { readonly replicationGroupId: string };
  /** Functions whose errors matter (thumbnails, queue worker). */
  readonly functions?: ReadonlyArray<{ readonly name: string; readonly function: lambda.IFunction }>;
  /** Dead-letter / failure queues, and the work queue they belong to. */
  readonly queues?: ReadonlyArray<{ readonly name: string; readonly queue?: sqs.IQueue; readonly deadLetterQueue: sqs.IQueue }>;
  /** 100+: graphed only (CloudFront metrics live in us-east-1). */
  readonly distribution?: cloudfront.IDistribution;
}

export interface MonitoringStackProps extends StageStackProps {
  /** Subscribed to the alarm topic when given. */
  readonly alarmEmail?: string;
  /** Encrypts the alarm topic (the Network stack's telemetry key). @default unencrypted */
  readonly encryptionKey?: kms.IKey;
  readonly resources: MonitoredResources;
}

/**
 * `<app>-Monitoring`: the SNS alarm topic, every alarm and one dashboard,
 * growing with the stage. It only reads the other stacks, so it deploys last.
 */
export class MonitoringStack extends StageStack {
  public readonly alarmTopic: AlarmTopic;
  public readonly monitoring: StageMonitoring;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { spec, resources: r } = props;
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { email: props.alarmEmail, encryptionKey: props.encryptionKey });
    const m = (this.monitoring = new StageMonitoring(this, 'Alarms', {
      topic: this.alarmTopic.topic,
      title: `Stage **${spec.name}**: ${spec.summary}`,
    }));
    const cpuAlarmPercent = spec.monitoring.cpuAlarmPercent;

    // The API's own figures first: they exist at every stage (its EMF lines, shipped by the agent).
    const requests = apiRequestAlarms({ latencyAlarmSeconds: spec.monitoring.latencyAlarmSeconds, requests: spec.monitoring.requests });
    m.addService('Requests', requests.alarms, requests.graphs);
    const business = businessGraphs({ cache: spec.cache !== undefined, activeUsersPerInstance: spec.compute.kind === 'fleet' && spec.cache === undefined });
    m.addService('Business', business.alarms, business.graphs);
    const climb = climbAlarm({
      spec,
      instance: r.instance && r.instanceDataPaths?.[0] !== undefined ? { instanceId: r.instance.instanceId, dataPath: r.instanceDataPaths[0] } : undefined,
      autoScalingGroupName: r.fleet?.autoScalingGroupName,
      primaries: r.databases?.map((d) => d.instance),
    });
    m.addService('Climb', climb.alarms, climb.graphs);

    if (r.instance) {
      const a = instanceAlarms({ instanceId: r.instance.instanceId, cpuAlarmPercent, dataPaths: r.instanceDataPaths ?? [] });
      m.addService('Instance', a.alarms, a.graphs);
    }
    if (r.fleet) {
      const a = fleetAlarms({ ...r.fleet, cpuAlarmPercent, latencyAlarmSeconds: spec.monitoring.latencyAlarmSeconds });
      m.addService('Fleet', a.alarms, a.graphs);
    }
    if (spec.database.kind === 'rds') {
      const db = spec.database;
      (r.databases ?? []).forEach((d, i) => {
        const a = databaseAlarms({
          name: i === 0 ? 'Database' : `Shard${i}Database`,
          instance: d.instance,
          replicas: d.replicas,
          instanceClass: db.instanceClass,
          allocatedStorageGiB: db.allocatedStorageGiB,
          cpuAlarmPercent,
        });
        m.addService(i === 0 ? 'Database' : `Shard${i}Database`, a.alarms, a.graphs);
      });
    }
    if (r.cache && spec.cache) {
      const a = cacheAlarms({ replicationGroupId: r.cache.replicationGroupId, shards: spec.cache.shards, replicasPerShard: spec.cache.replicasPerShard });
      m.addService('Cache', a.alarms, a.graphs);
    }
    for (const q of r.queues ?? []) {
      const a = queueAlarms(q);
      m.addService(`${q.name}Queue`, a.alarms, a.graphs);
    }
    for (const f of r.functions ?? []) {
      const a = functionAlarms(f);
      m.addService(`${f.name}Function`, a.alarms, a.graphs);
    }
    if (r.distribution) {
      const a = distributionGraphs({ distributionId: r.distribution.distributionId });
      m.addService('Cdn', a.alarms, a.graphs);
    }
    m.finish();

    addStackOutput(this, 'AlarmTopicArn', this.alarmTopic.topic.topicArn);
    addStackOutput(this, 'DashboardName', m.dashboard.dashboardName);
  }
}
