import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { PostgresDatabase } from '../constructs/database/postgres-database';
import { AlarmTopic } from '../constructs/monitoring/alarm-topic';
import { apiRequestAlarms } from '../constructs/monitoring/api-request-alarms';
import { businessGraphs } from '../constructs/monitoring/business-graphs';
import { cacheAlarms } from '../constructs/monitoring/cache-alarms';
import { climbAlarm } from '../constructs/monitoring/climb-alarm';
import { crossRegionReplicaAlarms } from '../constructs/monitoring/cross-region-replica-alarms';
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
  /** 100k+: the replication group and its shape (the stage's cache spec, or the second region's). */
  readonly cache?: { readonly replicationGroupId: string; readonly shards: number; readonly replicasPerShard: number };
  /** 10m, second region: its cross-region replica of each home primary, in shard-map order. */
  readonly crossRegionReplicas?: {
    readonly replicas: ReadonlyArray<{ readonly name: string; readonly database: rds.IDatabaseInstance }>;
    /** The home region, where their primaries run. */
    readonly sourceRegion: string;
    readonly instanceClass: string;
    /** The failover's RPO bound (second-region spec). */
    readonly maxLagSeconds: number;
  };
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
  /**
   * The second region (10m) this stack watches, in that region: its dashboard
   * says so, and it has no when-to-climb alarm (the stage's limit is the home
   * primaries', watched at home). @default the home region's stack
   */
  readonly secondRegion?: string;
}

/**
 * `<app>-Monitoring`: the SNS alarm topic, every alarm and one dashboard,
 * growing with the stage. It only reads the other stacks, so it deploys last.
 * At 10m the second region has one too, `<app>-<region>-Monitoring`, built by
 * this class from that region's resources: CloudWatch alarms notify only a
 * topic of their own region (docs/metrics.md, "The second region").
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
      title: props.secondRegion ? `Stage **${spec.name}**, second region **${props.secondRegion}**: its fleet, Redis, queue and cross-region replicas` : `Stage **${spec.name}**: ${spec.summary}`,
    }));
    const cpuAlarmPercent = spec.monitoring.cpuAlarmPercent;

    // The API's own figures first: they exist at every stage (its EMF lines, shipped by the agent).
    const requests = apiRequestAlarms({ latencyAlarmSeconds: spec.monitoring.latencyAlarmSeconds, requests: spec.monitoring.requests });
    m.addService('Requests', requests.alarms, requests.graphs);
    const business = businessGraphs({ cache: spec.cache !== undefined, activeUsersPerInstance: spec.compute.kind === 'fleet' && spec.cache === undefined });
    m.addService('Business', business.alarms, business.graphs);
    if (!props.secondRegion) {
      const climb = climbAlarm({
        spec,
        instance: r.instance && r.instanceDataPaths?.[0] !== undefined ? { instanceId: r.instance.instanceId, dataPath: r.instanceDataPaths[0] } : undefined,
        autoScalingGroupName: r.fleet?.autoScalingGroupName,
        primaries: r.databases?.map((d) => d.instance),
      });
      m.addService('Climb', climb.alarms, climb.graphs);
    }

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
    const crossRegion = r.crossRegionReplicas;
    if (crossRegion && spec.database.kind === 'rds') {
      const db = spec.database;
      for (const replica of crossRegion.replicas) {
        const a = crossRegionReplicaAlarms({
          name: replica.name,
          replica: replica.database,
          sourceRegion: crossRegion.sourceRegion,
          instanceClass: crossRegion.instanceClass,
          allocatedStorageGiB: db.allocatedStorageGiB,
          cpuAlarmPercent,
          maxLagSeconds: crossRegion.maxLagSeconds,
        });
        m.addService(replica.name, a.alarms, a.graphs);
      }
    }
    if (r.cache) {
      const a = cacheAlarms(r.cache);
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
