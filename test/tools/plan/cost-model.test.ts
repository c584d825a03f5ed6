import { LADDER, stageSpec } from '../../../stages/ladder';
import type { StageSpec } from '../../../stages/stage-spec';
import { DEFAULT_ASSUMPTIONS } from '../../../tools/plan/assumptions';
import { estimatedAlarms, monthlyCost } from '../../../tools/plan/cost-model';
import { type PriceTable, US_EAST_1 } from '../../../tools/plan/price-table';

// Round, made-up prices: the tests check the arithmetic, not AWS's list prices.
const PRICES: PriceTable = {
  ...US_EAST_1,
  hoursPerMonth: 700,
  ec2HourlyUsd: { 't4g.small': 1, 't4g.medium': 2, 'c7g.large': 3, 'c7g.xlarge': 4 },
  rdsPostgresHourlyUsd: { 'db.t4g.micro': 10, 'db.t4g.small': 20, 'db.t4g.medium': 30, 'db.r7g.large': 40, 'db.r7g.xlarge': 50 },
  rdsMultiAzFactor: 2,
  rdsStorageGbMonthUsd: 0.5,
  elastiCacheHourlyUsd: { 'cache.r7g.large': 7 },
  ebsGp3GbMonthUsd: 0.25,
  publicIpv4HourlyUsd: 0.01,
  natGatewayHourlyUsd: 0.1,
};

function lineUsd(spec: StageSpec, prefix: string, options = {}): number {
  const line = monthlyCost(spec, { prices: PRICES, ...options }).lines.find((l) => l.item.startsWith(prefix));
  if (!line) throw new Error(`no line starting with "${prefix}"`);
  return line.usd;
}

describe('monthlyCost', () => {
  test('instance-hours are hours per month × hourly price × count (fleet at its minimum size)', () => {
    expect(lineUsd(stageSpec('1'), 'EC2')).toBe(700 * 1);
    expect(lineUsd(stageSpec('100k'), 'EC2')).toBe(3 * 700 * 3);
  });

  test('Multi-AZ doubles the RDS instance and its storage; replicas are billed per primary', () => {
    expect(lineUsd(stageSpec('10'), 'RDS PostgreSQL')).toBe(700 * 10);
    expect(lineUsd(stageSpec('1k'), 'RDS PostgreSQL')).toBe(2 * 700 * 20);
    expect(lineUsd(stageSpec('1k'), 'RDS storage')).toBe(20 * 2 * 0.5);
    // 1m: 4 Multi-AZ primaries and 2 replicas each.
    expect(lineUsd(stageSpec('1m'), 'RDS PostgreSQL')).toBe(4 * 2 * 700 * 50);
    expect(lineUsd(stageSpec('1m'), 'RDS read replicas')).toBe(8 * 700 * 50);
    expect(lineUsd(stageSpec('1m'), 'RDS storage')).toBe(500 * (8 + 8) * 0.5);
  });

  test('cache nodes are shards × (1 + replicas per shard)', () => {
    expect(lineUsd(stageSpec('100k'), 'ElastiCache')).toBe(2 * 2 * 700 * 7);
    expect(lineUsd(stageSpec('1m'), 'ElastiCache')).toBe(4 * 2 * 700 * 7);
  });

  test('the total is the sum of the lines, split into provisioned and usage', () => {
    for (const spec of LADDER) {
      const cost = monthlyCost(spec, { prices: PRICES });
      const sum = cost.lines.reduce((s, l) => s + l.usd, 0);
      expect(cost.totalUsd).toBeCloseTo(sum, 9);
      expect(cost.provisionedUsd + cost.usageUsd).toBeCloseTo(cost.totalUsd, 9);
      for (const l of cost.lines) expect(l.usd).toBeCloseTo(l.quantity * l.unitUsd, 9);
    }
  });

  test('at maximum fleet size the extra instances and their root volumes are added', () => {
    const spec = stageSpec('1k');
    const cost = monthlyCost(spec, { prices: PRICES });
    // 1k: 2 → 4 × t4g.small with 20 GiB roots.
    expect(cost.totalAtMaxCapacityUsd - cost.totalUsd).toBeCloseTo(2 * (700 * 1 + 20 * 0.25), 9);
    const single = monthlyCost(stageSpec('1'), { prices: PRICES });
    expect(single.totalAtMaxCapacityUsd).toBe(single.totalUsd);
  });

  test('usage lines grow linearly with users and vanish at zero users', () => {
    const spec = stageSpec('10k');
    const at1k = monthlyCost(spec, { prices: PRICES, users: 1000 });
    const at2k = monthlyCost(spec, { prices: PRICES, users: 2000 });
    const at0 = monthlyCost(spec, { prices: PRICES, users: 0 });
    expect(at2k.usageUsd).toBeCloseTo(2 * at1k.usageUsd, 9);
    expect(at0.usageUsd).toBe(0);
    expect(at0.provisionedUsd).toBe(at1k.provisionedUsd);
  });

  test('CloudFront carries every stage: API requests, API responses and images are billed at its rates, from stage 1', () => {
    for (const stage of ['1', '10', '1k'] as const) {
      const items = monthlyCost(stageSpec(stage), { prices: PRICES }).lines.map((l) => l.item);
      expect(items).toEqual(expect.arrayContaining(['CloudFront API requests (HTTPS)', 'CloudFront API responses out (JSON)', 'CloudFront image delivery (from the API)']));
      expect(items.some((i) => i.includes('data out'))).toBe(false);
    }
    expect(monthlyCost(stageSpec('10k'), { prices: PRICES }).lines.map((l) => l.item)).toContain('CloudFront image delivery (from the uploads bucket)');
    const spec = stageSpec('1');
    const requests = spec.users * DEFAULT_ASSUMPTIONS.activeShare * DEFAULT_ASSUMPTIONS.daysPerMonth * DEFAULT_ASSUMPTIONS.requestsPerActiveUserPerDay;
    expect(lineUsd(spec, 'CloudFront API requests')).toBeCloseTo((requests / 10_000) * PRICES.cloudFrontHttpsPer10kUsd, 9);
  });

  test('the origin secret costs one secret and each instance\'s reads of it every 5 minutes; the internal load balancer has no public address', () => {
    expect(lineUsd(stageSpec('1'), 'Secrets Manager: CloudFront origin secret')).toBe(PRICES.secretMonthUsd);
    // 1k: two instances, two staged values each, every 300 s.
    expect(lineUsd(stageSpec('1k'), 'Secrets Manager: origin secret reads')).toBeCloseTo(((2 * 2 * (700 * 3600)) / 300 / 10_000) * PRICES.secretsApiPer10kUsd, 9);
    expect(monthlyCost(stageSpec('1k'), { prices: PRICES }).lines.some((l) => l.item.includes('ALB') && l.item.startsWith('Public IPv4'))).toBe(false);
  });

  test('photo storage in S3 is users × photos per user × size', () => {
    const spec = stageSpec('1k'); // S3 uploads, no thumbnails
    const gb = monthlyCost(spec, { prices: PRICES, users: 1024 }).lines.find((l) => l.item === 'S3 photo storage')!.quantity;
    expect(gb).toBeCloseTo((1024 * DEFAULT_ASSUMPTIONS.storedPhotosPerUser * DEFAULT_ASSUMPTIONS.photoMiB) / 1024, 9);
  });

  test('NAT gateways are billed as the network spec provisions them', () => {
    expect(monthlyCost(stageSpec('1'), { prices: PRICES }).lines.some((l) => l.item.startsWith('NAT'))).toBe(false);
    const spec = stageSpec('1k');
    expect(lineUsd(spec, 'NAT')).toBeCloseTo(spec.network.natGateways * 700 * 0.1, 9);
    expect(lineUsd(spec, 'NAT', { natGateways: 3 })).toBeCloseTo(3 * 700 * 0.1, 9);
  });

  test('one KMS key a month at every stage, and its CloudWatch Logs requests per log stream (4 plus 2 per instance)', () => {
    for (const spec of LADDER) {
      expect(lineUsd(spec, 'KMS key')).toBe(PRICES.kmsKeyMonthUsd);
      const instances = spec.compute.kind === 'fleet' ? spec.compute.minCapacity : 1;
      const requests = (4 + 2 * instances) * DEFAULT_ASSUMPTIONS.kmsRequestsPerLogStreamHour * 700;
      expect(lineUsd(spec, 'KMS requests')).toBeCloseTo((requests / 10_000) * PRICES.kmsPer10kRequestsUsd, 9);
    }
  });

  test('with RDS: Enhanced Monitoring records of every instance into CloudWatch Logs, and the Secrets Manager endpoint in two AZs', () => {
    expect(() => lineUsd(stageSpec('1'), 'RDS Enhanced Monitoring')).toThrow();
    expect(() => lineUsd(stageSpec('1'), 'VPC interface endpoint')).toThrow();
    const db = stageSpec('1m').database;
    if (db.kind !== 'rds') throw new Error('1m has RDS');
    const records = 4 * 3 * ((DEFAULT_ASSUMPTIONS.daysPerMonth * 86_400) / db.enhancedMonitoringSeconds);
    expect(lineUsd(stageSpec('1m'), 'RDS Enhanced Monitoring')).toBeCloseTo(((records * DEFAULT_ASSUMPTIONS.enhancedMonitoringKiBPerSample) / 1024 ** 2) * PRICES.cloudWatchLogsIngestGbUsd, 9);
    for (const stage of ['10', '1m'] as const) expect(lineUsd(stageSpec(stage), 'VPC interface endpoint')).toBeCloseTo(2 * 700 * PRICES.interfaceEndpointHourlyUsd, 9);
  });

  test('AWS WAF from the stage with a firewall: the web ACL, its three rules and every request of the distribution inspected', () => {
    expect(monthlyCost(stageSpec('10'), { prices: PRICES }).lines.some((l) => l.item.includes('WAF'))).toBe(false);
    const spec = stageSpec('100');
    expect(lineUsd(spec, 'AWS WAF web ACL')).toBe(PRICES.wafWebAclMonthUsd);
    expect(lineUsd(spec, 'AWS WAF rules')).toBe(3 * PRICES.wafRuleMonthUsd);
    const a = DEFAULT_ASSUMPTIONS;
    const activeUserDays = spec.users * a.activeShare * a.daysPerMonth;
    const inspected = activeUserDays * (a.requestsPerActiveUserPerDay + a.imagesViewedPerActiveUserPerDay);
    expect(lineUsd(spec, 'AWS WAF requests')).toBeCloseTo((inspected / 1e6) * PRICES.wafPerMillionRequestsUsd, 9);
  });

  test('alarm count grows with the resources of the stage', () => {
    const counts = LADDER.map(estimatedAlarms);
    for (let i = 1; i < counts.length; i++) expect(counts[i]).toBeGreaterThanOrEqual(counts[i - 1]);
  });

  test('VPC flow logs at every stage: each instance\'s records whatever the traffic, and the API traffic\'s, at the vended-logs price', () => {
    const a = DEFAULT_ASSUMPTIONS;
    for (const spec of LADDER) {
      const instances = spec.compute.kind === 'fleet' ? spec.compute.minCapacity : 1;
      expect(lineUsd(spec, 'VPC flow logs, background')).toBeCloseTo(((instances * a.flowLogKiBPerInstanceHour * 700) / 1024 ** 2) * PRICES.cloudWatchVendedLogsIngestGbUsd, 9);
      const requests = spec.users * a.activeShare * a.daysPerMonth * a.requestsPerActiveUserPerDay;
      expect(lineUsd(spec, 'VPC flow logs, API traffic')).toBeCloseTo(((requests * a.flowLogBytesPerRequest) / 1024 ** 3) * PRICES.cloudWatchVendedLogsIngestGbUsd, 9);
    }
  });

  test('AWS Backup snapshots of the data volume at 1-100: the used blocks plus 7 daily changes, capped at the volume; none once photos are in S3', () => {
    const a = DEFAULT_ASSUMPTIONS;
    const photoGb = (100 * a.storedPhotosPerUser * a.photoMiB) / 1024;
    const snapshots = monthlyCost(stageSpec('10'), { prices: PRICES, users: 100 }).lines.find((l) => l.item.startsWith('AWS Backup'))!;
    expect(snapshots.quantity).toBeCloseTo(photoGb * (1 + 7 * a.snapshotDailyChangeShare), 9);
    expect(snapshots.usd).toBeCloseTo(snapshots.quantity * PRICES.ebsSnapshotGbMonthUsd, 9);
    // 10,000 users' photos would not fit on 20 GiB: the snapshot holds at most the volume.
    expect(monthlyCost(stageSpec('1'), { prices: PRICES, users: 10_000 }).lines.find((l) => l.item.startsWith('AWS Backup'))!.quantity).toBeCloseTo(20 * (1 + 7 * a.snapshotDailyChangeShare), 9);
    expect(monthlyCost(stageSpec('1k'), { prices: PRICES }).lines.some((l) => l.item.startsWith('AWS Backup'))).toBe(false);
  });

  test('an instance type missing from the price table is a clear error naming it', () => {
    const spec: StageSpec = { ...stageSpec('1'), compute: { kind: 'single-instance', instanceType: 'm9z.huge', rootVolumeGiB: 8 } };
    expect(() => monthlyCost(spec, { prices: PRICES })).toThrow(/no ec2HourlyUsd price for "m9z.huge"/);
  });

  test('bad options are refused with a one-line error', () => {
    expect(() => monthlyCost(stageSpec('1'), { users: -1 })).toThrow(/users must be a non-negative number/);
    expect(() => monthlyCost(stageSpec('1'), { natGateways: 1.5 })).toThrow(/natGateways/);
    expect(() => monthlyCost(stageSpec('1'), { assumptions: { ...DEFAULT_ASSUMPTIONS, activeShare: 2 } })).toThrow(/activeShare/);
  });

  test('the committed price table prices every instance class and node type the stages use', () => {
    for (const spec of LADDER) expect(() => monthlyCost(spec)).not.toThrow();
    expect(US_EAST_1.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(US_EAST_1.source).toMatch(/https:\/\/aws\.amazon\.com\//);
  });
});
