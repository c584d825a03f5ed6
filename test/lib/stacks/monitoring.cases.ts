/**
 * The Monitoring stack of every stage: the API's request alarms (p99 latency,
 * 5xx rate) from its EMF metrics, the when-to-climb alarm naming the next
 * stage, the dashboard's request and business sections, and the queue's depth
 * alarm at 1m.
 */
import { API_METRICS_NAMESPACE, BUSINESS_EVENT_METRICS } from '../../../contracts/api-metrics';
import { CLIMB_SUSTAINED_MINUTES, climbCondition, climbTargets } from '../../../stages/climb-signals';
import { LADDER, type StageName, stageSpec } from '../../../stages/ladder';
import { ALL_STAGES, resourcesOfType } from './stage-templates';

/** The stage's alarms by construct ID under `Alarms/<service>/` (logical IDs carry a hash). */
function alarm(stage: StageName, service: string, id: string): any {
  const found = Object.entries(resourcesOfType(stage, 'Monitoring', 'AWS::CloudWatch::Alarm')).filter(([logicalId]) => logicalId.startsWith(`Alarms${service}${id}`));
  if (found.length !== 1) throw new Error(`stage ${stage}: ${found.length} alarms ${service}/${id}`);
  return found[0][1];
}

/** The metrics an alarm's math reads, by expression ID. */
function metricsOf(a: any): Record<string, any> {
  return Object.fromEntries((a.Properties.Metrics as any[]).filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat]));
}

function expressionOf(a: any): string {
  return (a.Properties.Metrics as any[]).find((m) => m.Expression)?.Expression;
}

/** The dashboard body with its tokens flattened (it is an Fn::Join of text and references). */
function dashboardBody(stage: StageName): string {
  const dashboard: any = Object.values(resourcesOfType(stage, 'Monitoring', 'AWS::CloudWatch::Dashboard'))[0];
  const body = dashboard.Properties.DashboardBody;
  return typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : '<token>')).join('');
}

describe.each(ALL_STAGES.map((s) => [s]))('stage %s monitoring', (stage) => {
  const spec = stageSpec(stage);
  const r = spec.monitoring.requests;

  test("alarms on the API's p99 latency above the stage's target, judged only in windows with enough requests; no data never breaches", () => {
    const a = alarm(stage, 'Requests', 'P99Latency');
    expect(a.Properties).toMatchObject({
      Threshold: spec.monitoring.latencyAlarmSeconds * 1000,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: r.windows,
      TreatMissingData: 'notBreaching',
    });
    expect(expressionOf(a)).toBe(`IF(requests >= ${r.minRequests}, p99, 0)`);
    const m = metricsOf(a);
    expect(m.p99).toMatchObject({ Metric: { Namespace: API_METRICS_NAMESPACE, MetricName: 'Latency' }, Stat: 'p99', Period: r.windowMinutes * 60 });
    expect(m.requests).toMatchObject({ Metric: { Namespace: API_METRICS_NAMESPACE, MetricName: 'Requests' }, Stat: 'Sum', Period: r.windowMinutes * 60 });
    // The whole API: the dimensionless set, not one route.
    expect(m.p99.Metric.Dimensions).toBeUndefined();
    expect(m.requests.Metric.Dimensions).toBeUndefined();
  });

  test("alarms on the API's 5xx rate above the stage's target, judged only in windows with enough requests; no data never breaches", () => {
    const a = alarm(stage, 'Requests', 'ServerErrorRate');
    expect(a.Properties).toMatchObject({ Threshold: r.serverErrorPercent, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: r.windows, TreatMissingData: 'notBreaching' });
    expect(expressionOf(a)).toBe(`IF(requests >= ${r.minRequests}, 100 * FILL(errors, 0) / requests, 0)`);
    const m = metricsOf(a);
    expect(m.errors).toMatchObject({ Metric: { Namespace: API_METRICS_NAMESPACE, MetricName: 'Status5xx' }, Stat: 'Sum', Period: r.windowMinutes * 60 });
    expect(m.errors.Metric.Dimensions).toBeUndefined();
  });

  test('has one when-to-climb alarm: the plan\'s condition, sustained for an hour, naming the next stage on the ladder and what to follow', () => {
    const a = alarm(stage, 'Climb', 'WhenToClimb');
    const condition = climbCondition(spec);
    const at = LADDER.findIndex((s) => s.name === stage);
    const next = LADDER[at + 1];
    const description: string = a.Properties.AlarmDescription;
    expect(description).toContain(condition.text);
    if (next) expect(description).toMatch(new RegExp(`(Climb to stage|The next stage,) ${next.name}[,:]`));
    else expect(description).toContain(`Stage ${stage} is the top of the ladder: grow within it, add a primary (docs/runbooks/add-a-primary.md)`);
    const lifts = climbTargets(spec).lifts;
    if (lifts) expect(description).toContain(`limb to stage ${lifts.name}: `);
    expect(a.Properties).toMatchObject({ Threshold: condition.threshold, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    const period = a.Properties.Period ?? (a.Properties.Metrics as any[]).find((m) => m.MetricStat).MetricStat.Period;
    expect(a.Properties.EvaluationPeriods * period).toBe(CLIMB_SUSTAINED_MINUTES * 60);
    const watched = JSON.stringify(a.Properties);
    const expected = { 'data-volume-full': ['disk_used_percent', '/var/lib/graminsta'], 'fleet-at-maximum': ['GroupInServiceInstances', 'CPUUtilization'], 'database-memory': ['ReadIOPS'], 'database-cpu': ['CPUUtilization'] }[condition.kind];
    for (const text of expected) expect(watched).toContain(text);
    if (condition.kind === 'database-memory' && spec.database.kind === 'rds') expect(watched.match(/"ReadIOPS"/g)).toHaveLength(spec.database.primaries);
  });

  test('the dashboard has the request section (totals, p50/p90/p99, 4xx/5xx, per route) and the business section', () => {
    const body = dashboardBody(stage);
    for (const text of ['"Requests"', '"Status4xx"', '"Status5xx"', '"stat":"p50"', '"stat":"p90"', '"stat":"p99"']) expect(body).toContain(text);
    for (const name of ['Requests', 'Latency', 'Status4xx', 'Status5xx']) expect(body).toContain(`SEARCH('{${API_METRICS_NAMESPACE},Route} MetricName=\\"${name}\\"'`);
    for (const name of [...BUSINESS_EVENT_METRICS, 'ActiveUsers']) expect(body).toContain(`"${API_METRICS_NAMESPACE}","${name}"`);
    // The cache hit ratio where the cache exists (100k and up), and nowhere else.
    expect(body.includes('"CacheHits"')).toBe(spec.cache !== undefined);
  });
});

describe('stage 1m queue', () => {
  test('alarms when more than 10,000 messages wait in the work queue for 15 minutes, beside the age and dead-letter alarms', () => {
    const a = alarm('1m', 'WorkQueue', 'WorkDepth');
    expect(a.Properties).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 10_000, EvaluationPeriods: 3, Period: 300, TreatMissingData: 'notBreaching' });
    // The work queue itself (the one with a redrive policy), not its dead-letter queue: the Data stack's, read through its output.
    const queue = Object.entries(resourcesOfType('1m', 'Data', 'AWS::SQS::Queue')).find(([, q]) => q.Properties.RedrivePolicy);
    expect(a.Properties.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'graminsta-Data', OutputName: expect.stringContaining(queue![0]) }) } }]);
    alarm('1m', 'WorkQueue', 'WorkBacklog');
    alarm('1m', 'WorkQueue', 'WorkDeadLetters');
  });
});
