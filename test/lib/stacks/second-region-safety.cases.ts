/**
 * Stage 10m: the second region watched and guarded like home. Its own
 * Monitoring stack (`graminsta-<region>-Monitoring`, in that region: alarms
 * notify only a topic of their own region) alarms on its fleet, Redis, queue
 * and each cross-region replica (the replica lag bounds a failover's loss);
 * every one of its stacks has a deploy guard, and its Monitoring sets the
 * stack policy of its Network, Data and App.
 */
import { EXAMPLE_REGION_OPTIONS } from '../../../lib/app-options';
import { isStatefulType } from '../../../lib/resource-spec';
import { synthStage } from '../../../lib/synth';
import { API_METRICS_NAMESPACE, REQUEST_METRICS } from '../../../contracts/api-metrics';
import { stageSpec } from '../../../stages/ladder';
import { deployGuardRefusal } from '../../boot/support/deploy-guard-stand-in';
import { policyBodyFor, stackPolicyRefusal } from '../../boot/support/stack-policy-stand-in';
import { constructPath, guardNeeds, notWaitingForGuard } from './stage-templates';

const [HOME, SECOND] = EXAMPLE_REGION_OPTIONS.regions.split(',');
const second = stageSpec('10m').regions!.second;
const KINDS = ['Network', 'Data', 'App', 'Monitoring'] as const;
type Kind = (typeof KINDS)[number];
const name = (kind: Kind) => `graminsta-${SECOND}-${kind}`;
const regional = (kind: Kind): Record<string, any> => synthStage('10m')[name(kind)];
const resources = (kind: Kind, type: string) => Object.entries(regional(kind).Resources as Record<string, any>).filter(([, r]) => r.Type === type);
const alarms = () => resources('Monitoring', 'AWS::CloudWatch::Alarm');
/** The alarm whose construct path is `Alarms/<service>/<id>`. */
function alarm(service: string, id: string): any {
  const found = alarms().filter(([, a]) => constructPath(a) === `Alarms/${service}/${id}/Resource`);
  if (found.length !== 1) throw new Error(`${found.length} alarms Alarms/${service}/${id}`);
  return found[0][1];
}
const dimension = (a: any, key: string) => (a.Properties.Dimensions as any[]).find((d) => d.Name === key)?.Value;
/** The stack of this region a value is read from (a weak reference: `Fn::GetStackOutput`, lib/weak-references.ts). */
const importedFrom = (value: any) => {
  const output = value?.['Fn::GetStackOutput'];
  return output?.Region === SECOND ? output.StackName : undefined;
};

describe('stage 10m: the second region monitored', () => {
  test('its Monitoring stack is named with the region, deploys last there, and one snapshot pins it', () => {
    expect(name('Monitoring')).not.toMatch(/10m/);
    expect(Object.keys(synthStage('10m'))).toEqual(expect.arrayContaining(KINDS.map(name)));
  });

  test('every alarm notifies, on alarm and back to OK, the SNS topic of its own region, encrypted with that region’s key', () => {
    const [[topicId, topic]] = resources('Monitoring', 'AWS::SNS::Topic');
    expect(importedFrom(topic.Properties.KmsMasterKeyId)).toBe(name('Network'));
    expect(alarms().length).toBeGreaterThan(0);
    for (const [, a] of alarms()) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  test("the API's p99 latency and 5xx rate from its EMF metrics, with home's targets; no when-to-climb alarm (the limit is the home primaries')", () => {
    const p99 = alarm('Requests', 'P99Latency');
    const stats = (p99.Properties.Metrics as any[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric);
    expect(stats.map((m) => [m.Namespace, m.MetricName]).sort()).toEqual([[API_METRICS_NAMESPACE, REQUEST_METRICS.latency], [API_METRICS_NAMESPACE, REQUEST_METRICS.requests]].sort());
    expect(p99.Properties.Threshold).toBe(stageSpec('10m').monitoring.latencyAlarmSeconds * 1000);
    expect(alarm('Requests', 'ServerErrorRate').Properties.Threshold).toBe(stageSpec('10m').monitoring.requests.serverErrorPercent);
    expect(alarms().filter(([, a]) => constructPath(a).startsWith('Alarms/Climb/'))).toEqual([]);
  });

  test('the fleet behind its public origin (where CloudFront’s requests arrive): unhealthy hosts, 5xx, CPU of its Auto Scaling group', () => {
    const unhealthy = alarm('Fleet', 'UnhealthyTargets');
    expect(importedFrom(dimension(unhealthy, 'TargetGroup'))).toBe(name('App'));
    expect(importedFrom(dimension(unhealthy, 'LoadBalancer'))).toBe(name('App'));
    const [[originGroupId]] = resources('App', 'AWS::ElasticLoadBalancingV2::TargetGroup').filter(([, g]) => constructPath(g).startsWith('PublicOrigin/'));
    expect(dimension(unhealthy, 'TargetGroup')['Fn::GetStackOutput'].OutputName).toContain(originGroupId);
    for (const id of ['Api5xx', 'LoadBalancer5xx', 'Latency']) expect(alarm('Fleet', id)).toBeDefined();
    const cpu = alarm('Fleet', 'Cpu');
    expect(importedFrom(dimension(cpu, 'AutoScalingGroupName'))).toBe(name('App'));
    expect(cpu.Properties.Threshold).toBe(stageSpec('10m').monitoring.cpuAlarmPercent);
  });

  test('its Redis, node by node, and its own work queue', () => {
    const nodes = second.cache.shards * (1 + second.cache.replicasPerShard);
    expect(alarms().filter(([, a]) => constructPath(a).startsWith('Alarms/Cache/'))).toHaveLength(nodes * 3);
    for (const id of ['WorkDeadLetters', 'WorkBacklog', 'WorkDepth']) {
      const a = alarm('WorkQueue', id);
      expect(a.Properties.Namespace).toBe('AWS/SQS');
      expect(importedFrom(dimension(a, 'QueueName'))).toBe(name('Data'));
    }
  });

  test('each cross-region replica: its ReplicaLag above the failover’s RPO bound for 5 minutes (no data breaches), its CPU, storage and connections', () => {
    const replicas = resources('Data', 'AWS::RDS::DBInstance');
    const db = stageSpec('10m').database;
    expect(replicas.length).toBe(db.kind === 'rds' ? db.primaries : 0);
    for (const [replicaId, replica] of replicas) {
      const service = constructPath(replica).split('/')[0];
      const lag = alarm(service, `${service}ReplicaLag`);
      expect(lag.Properties).toMatchObject({
        Namespace: 'AWS/RDS',
        MetricName: 'ReplicaLag',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 5,
        Threshold: second.replicaLagAlarmSeconds,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching',
      });
      expect(lag.Properties.AlarmDescription).toContain(`behind its ${HOME} primary`);
      const identifier = dimension(lag, 'DBInstanceIdentifier');
      expect(importedFrom(identifier)).toBe(name('Data'));
      expect(identifier['Fn::GetStackOutput'].OutputName).toContain(replicaId);
      for (const id of ['Cpu', 'FreeStorage', 'Connections']) expect(dimension(alarm(service, `${service}${id}`), 'DBInstanceIdentifier')).toEqual(identifier);
    }
    expect(second.replicaLagAlarmSeconds).toBeLessThanOrEqual(60);
  });

  test('one dashboard naming the region, with the replica lag graphed', () => {
    const [[, dashboard]] = resources('Monitoring', 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain(`second region **${SECOND}**`);
    expect(body).toContain('cross-region lag (s)');
  });

  test('the replicas’ exported PostgreSQL logs keep the stage’s retention, as home’s do', () => {
    const retention = resources('Data', 'Custom::LogRetention');
    const replicas = resources('Data', 'AWS::RDS::DBInstance');
    expect(retention).toHaveLength(replicas.length * 2);
    for (const [id] of replicas) {
      const names = retention.map(([, r]) => JSON.stringify(r.Properties.LogGroupName)).filter((text) => text.includes(`{"Ref":"${id}"}`));
      expect(names.sort()).toEqual([expect.stringContaining('/postgresql'), expect.stringContaining('/upgrade')]);
    }
    for (const [, r] of retention) expect(r.Properties.RetentionInDays).toBe(stageSpec('10m').monitoring.logRetentionDays);
  });
});

describe('stage 10m: the second region guarded', () => {
  test.each(KINDS)('%s: one deploy guard recording stage 10m; every resource but its own and the KMS key waits for it', (kind) => {
    const guards = resources(kind, 'Custom::DeployGuard');
    expect(guards).toHaveLength(1);
    expect(guards[0][1].Properties).toMatchObject({ StackLabel: name(kind), Stage: '10m', Confirm: '' });
    expect(notWaitingForGuard(regional(kind).Resources)).toEqual([]);
    const all = regional(kind).Resources as Record<string, any>;
    const own = [...guardNeeds(all, guards[0][0])].filter((id) => id !== guards[0][0]);
    expect(own.filter((id) => !constructPath(all[id]).startsWith('DeployGuard/') && all[id].Type !== 'AWS::KMS::Key')).toEqual([]);
  });

  test('its Monitoring sets the stack policy of its Network, Data and App (and only there), with SetStackPolicy on those three stacks of its region only', () => {
    const setters = resources('Monitoring', 'Custom::StackPolicy').map(([id, r]) => `${id} → ${r.Properties.StackName}`).sort();
    expect(setters).toEqual([`AppStackPolicy → ${name('App')}`, `DataStackPolicy → ${name('Data')}`, `NetworkStackPolicy → ${name('Network')}`]);
    for (const kind of ['Network', 'Data', 'App'] as const) expect(resources(kind, 'Custom::StackPolicy')).toEqual([]);
    const grants = resources('Monitoring', 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[])
      .filter((s) => ([] as string[]).concat(s.Action).includes('cloudformation:SetStackPolicy'))
      .flatMap((s) => ([] as any[]).concat(s.Resource).map((arn) => (arn['Fn::Join'][1] as any[]).map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('')));
    expect(grants.sort()).toEqual(['App', 'Data', 'Network'].map((kind) => `arn:aws:cloudformation:${SECOND}:<AWS::AccountId>:stack/${name(kind as Kind)}/*`));
  });

  test.each(['Network', 'Data', 'App'] as const)('%s: the policy denies replacing every stateful resource (replicas, Redis, buckets, the keys, the queues)', (kind) => {
    const body = JSON.parse(policyBodyFor(regional('Monitoring'), name(kind))!);
    const all = regional(kind).Resources as Record<string, any>;
    const stateful = Object.keys(all).filter((id) => isStatefulType(all[id].Type)).sort();
    const denied = (body.Statement as any[]).filter((s) => s.Effect === 'Deny' && s.Action === 'Update:Replace').flatMap((s) => s.Resource.map((r: string) => r.replace('LogicalResourceId/', '')));
    expect(denied).toEqual(stateful);
    if (kind === 'Data') {
      const types = new Set(stateful.map((id) => all[id].Type));
      for (const type of ['AWS::RDS::DBInstance', 'AWS::ElastiCache::ReplicationGroup', 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SQS::Queue']) expect(types).toContain(type);
    }
  });

  test('a change that would replace a cross-region replica is refused by the policy in force', () => {
    const data = regional('Data');
    const [replicaId] = resources('Data', 'AWS::RDS::DBInstance')[0];
    const next = JSON.parse(JSON.stringify(data));
    // The source region is create-only: a new value replaces the replica.
    next.Resources[replicaId].Properties.SourceRegion = 'eu-central-1';
    expect(stackPolicyRefusal(name('Data'), policyBodyFor(regional('Monitoring'), name('Data')), data, next)).toBe(`${name('Data')}: the stack policy denies Update:Replace of ${replicaId}`);
  });

  test("the runbook's first deploy of each (-c confirm=1m-to-10m) records 10m; a later deploy down to 1m is refused without the rollback's confirmation", () => {
    const at = (stage: string) => (kind: Kind) => {
      const template = JSON.parse(JSON.stringify(regional(kind)));
      const [[guardId]] = Object.entries<any>(template.Resources).filter(([, r]) => r.Type === 'Custom::DeployGuard');
      template.Resources[guardId].Properties.Stage = stage;
      return template;
    };
    for (const kind of KINDS) {
      expect({ kind, refusal: deployGuardRefusal(undefined, regional(kind), '1m-to-10m') }).toEqual({ kind, refusal: undefined });
      expect({ kind, refusal: deployGuardRefusal(regional(kind), regional(kind), undefined) }).toEqual({ kind, refusal: undefined });
      expect(deployGuardRefusal(regional(kind), at('1m')(kind), undefined)).toMatch(new RegExp(`^${name(kind)}: stage 10m → 1m goes down the ladder`));
    }
  });
});

describe('stage 10m: the two public origins’ certificates', () => {
  test('both are for the one origin name, DNS-validated by CloudFormation in the one hosted zone; neither template declares the validation record, so no stack owns the CNAME they share', () => {
    const certificates = [synthStage('10m')['graminsta-App'], regional('App')].map((template) =>
      Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CertificateManager::Certificate').map((r) => r.Properties),
    );
    const name = `api-origin.${EXAMPLE_REGION_OPTIONS.domainName}`;
    for (const found of certificates) {
      expect(found).toEqual([
        expect.objectContaining({ DomainName: name, ValidationMethod: 'DNS', DomainValidationOptions: [{ DomainName: name, HostedZoneId: EXAMPLE_REGION_OPTIONS.hostedZoneId }] }),
      ]);
    }
    for (const template of [synthStage('10m')['graminsta-App'], regional('App')]) {
      const cnames = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::Route53::RecordSet' && r.Properties.Type === 'CNAME');
      expect(cnames).toEqual([]);
    }
  });
});
