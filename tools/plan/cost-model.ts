import type { StageSpec } from '../../stages/stage-spec';
import { type Assumptions, DEFAULT_ASSUMPTIONS, validateAssumptions } from './assumptions';
import { dataVolumeGiB, databaseBytesPerUser, photoBytesPerUser } from './limits';
import { hourly, type PriceTable, pricesFor, type RegionPrices, US_EAST_1 } from './price-table';
import { secondRegionLines } from './second-region';
import { EXAMPLE_REGION_OPTIONS } from '../../lib';

/** One line of a stage's monthly bill. */
export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  /** What `quantity` counts: `instance-hour`, `GB-month`, `GB`, `1k requests`, ... */
  readonly unit: string;
  readonly unitUsd: number;
  readonly usd: number;
  /** `provisioned`: paid whether used or not; `usage`: grows with the users (estimated at `users`). */
  readonly basis: 'provisioned' | 'usage';
}

export interface MonthlyCost {
  readonly stage: string;
  /** The user count the usage lines are estimated at. */
  readonly users: number;
  readonly totalUsd: number;
  readonly provisionedUsd: number;
  readonly usageUsd: number;
  /** The total with the fleet at its maximum size (equal to `totalUsd` for a single instance). */
  readonly totalAtMaxCapacityUsd: number;
  readonly lines: readonly CostLine[];
  /** Which price table: region and date. */
  readonly prices: { readonly region: string; readonly asOf: string };
  /** 10m: the second region, and the table its resources are priced with (another region's when `standIn`). */
  readonly secondRegionPrices?: { readonly region: string; readonly table: string; readonly asOf: string; readonly standIn: boolean };
}

export interface CostOptions {
  /** @default US_EAST_1 */
  readonly prices?: PriceTable;
  /** @default DEFAULT_ASSUMPTIONS */
  readonly assumptions?: Assumptions;
  /** Registered users the usage lines are estimated for. @default spec.users */
  readonly users?: number;
  /**
   * NAT gateways the network provisions (hourly and their public IPv4
   * address; data processing not counted).
   * @default spec.network.natGateways
   */
  readonly natGateways?: number;
  /**
   * 10m: the second region and its prices. @default the example second
   * region (`DEFAULT_SECOND_REGION`), at its committed table or, without one,
   * at `prices` standing in
   */
  readonly secondRegion?: RegionPrices;
}

/** The second region the plan prices stage 10m with when given none: the example regions' (lib/app-options.ts). */
export const DEFAULT_SECOND_REGION: string = EXAMPLE_REGION_OPTIONS.regions.split(',')[1];

const GIB_PER_MIB = 1 / 1024;
/** The API's default ORIGIN_VERIFY_REFRESH_MS, in seconds. */
const ORIGIN_SECRET_REFRESH_SECONDS = 300;

/**
 * CloudWatch alarms of a stage's Monitoring stack, counted as its constructs
 * make them (lib/constructs/monitoring/; a test counts them in the templates).
 */
export function estimatedAlarms(spec: StageSpec): number {
  // Single instance: CPU, status checks, memory, root disk, data volume. Fleet: CPU, p99 latency, API 5xx,
  // load balancer 5xx, unhealthy hosts, memory, root disk.
  let alarms = spec.compute.kind === 'fleet' ? 7 : 5;
  // Every stage: the API's p99 latency and 5xx rate (its EMF metrics), and the when-to-climb alarm.
  alarms += 3;
  // Per primary: CPU, free storage, connections; per replica: CPU and lag.
  if (spec.database.kind === 'rds') alarms += spec.database.primaries * (3 + 2 * spec.database.readReplicas);
  // Per node: engine CPU, memory, evictions.
  if (spec.cache) alarms += 3 * spec.cache.shards * (1 + spec.cache.replicasPerShard);
  if (spec.uploads?.thumbnails) alarms += 2; // function errors, the failed-thumbnail queue
  if (spec.queue) alarms += 3; // dead-letter queue depth, oldest message age, messages waiting
  return alarms;
}

/** Days AWS Backup keeps each daily recovery point of the data volume (VolumeBackup's default; the Data stack passes none). */
const VOLUME_BACKUP_RETENTION_DAYS = 7;

function line(item: string, quantity: number, unit: string, unitUsd: number, basis: CostLine['basis']): CostLine {
  return { item, quantity, unit, unitUsd, usd: quantity * unitUsd, basis };
}

function sum(lines: readonly CostLine[]): number {
  return lines.reduce((total, l) => total + l.usd, 0);
}

/** Availability zones of the VPC: the Secrets Manager endpoint has a network interface in each. */
const VPC_AZS = 2;
/** Rules of the distribution's web ACL (lib/constructs/site/distribution-firewall.ts): the rate limit and two AWS managed groups. */
const WAF_BILLED_RULES = 3;

/** Monthly bill of the resources a stage provisions, whatever its traffic. */
function provisionedLines(spec: StageSpec, p: PriceTable, a: Assumptions, natGateways: number, instances: number): CostLine[] {
  const h = p.hoursPerMonth;
  const lines: CostLine[] = [];
  const c = spec.compute;
  lines.push(line(`EC2 ${c.instanceType} × ${instances}`, instances * h, 'instance-hour', hourly(p, 'ec2HourlyUsd', c.instanceType), 'provisioned'));
  lines.push(line(`EBS gp3 root volumes (${instances} × ${c.rootVolumeGiB} GiB)`, instances * c.rootVolumeGiB, 'GB-month', p.ebsGp3GbMonthUsd, 'provisioned'));

  const db = spec.database;
  if (db.kind === 'on-instance') {
    lines.push(line(`EBS gp3 database volume (${db.volumeGiB} GiB)`, db.volumeGiB, 'GB-month', p.ebsGp3GbMonthUsd, 'provisioned'));
  } else {
    const az = db.multiAz ? p.rdsMultiAzFactor : 1;
    const label = `${db.primaries} primar${db.primaries === 1 ? 'y' : 'ies'}${db.multiAz ? ' Multi-AZ' : ''}`;
    lines.push(line(`RDS PostgreSQL ${db.instanceClass} (${label})`, db.primaries * az * h, 'instance-hour', hourly(p, 'rdsPostgresHourlyUsd', db.instanceClass), 'provisioned'));
    const replicas = db.primaries * db.readReplicas;
    if (replicas > 0) {
      lines.push(line(`RDS read replicas ${db.instanceClass} × ${replicas}`, replicas * h, 'instance-hour', hourly(p, 'rdsPostgresHourlyUsd', db.instanceClass), 'provisioned'));
    }
    const storage = db.allocatedStorageGiB * (db.primaries * az + replicas);
    lines.push(line(`RDS storage (${db.allocatedStorageGiB} GiB × ${db.primaries * az + replicas} copies)`, storage, 'GB-month', p.rdsStorageGbMonthUsd, 'provisioned'));
    // One secret per primary (its generated credentials).
    lines.push(line('Secrets Manager: database credentials', db.primaries, 'secret-month', p.secretMonthUsd, 'provisioned'));
    // Enhanced Monitoring writes one JSON record per instance and interval into CloudWatch Logs (RDSOSMetrics).
    const monitored = db.primaries * (1 + db.readReplicas);
    const samples = (a.daysPerMonth * 86_400) / db.enhancedMonitoringSeconds;
    const monitoringGb = (monitored * samples * a.enhancedMonitoringKiBPerSample) / 1024 ** 2;
    lines.push(line(`RDS Enhanced Monitoring (${monitored} instance${monitored > 1 ? 's' : ''} every ${db.enhancedMonitoringSeconds} s, CloudWatch Logs)`, monitoringGb, 'GB', p.cloudWatchLogsIngestGbUsd, 'provisioned'));
    // The credential rotation function reaches Secrets Manager through an interface endpoint in each AZ (stages 10
    // and 100 have no NAT gateway); its own runs (one a month per primary) stay within Lambda's free tier.
    lines.push(line(`VPC interface endpoint: Secrets Manager (${VPC_AZS} AZs, for credential rotation)`, VPC_AZS * h, 'endpoint-hour', p.interfaceEndpointHourlyUsd, 'provisioned'));
  }

  if (spec.cache) {
    const nodes = spec.cache.shards * (1 + spec.cache.replicasPerShard);
    lines.push(line(`ElastiCache ${spec.cache.nodeType} × ${nodes} (${spec.cache.shards} shards)`, nodes * h, 'node-hour', hourly(p, 'elastiCacheHourlyUsd', spec.cache.nodeType), 'provisioned'));
    lines.push(line('Secrets Manager: Redis AUTH token', 1, 'secret-month', p.secretMonthUsd, 'provisioned'));
  }

  if (c.kind === 'fleet') {
    // Internal (a CloudFront VPC origin, which costs nothing extra): no public IPv4 addresses.
    lines.push(line('Application Load Balancer (internal)', h, 'hour', p.albHourlyUsd, 'provisioned'));
  } else {
    lines.push(line('Elastic IP (public IPv4, CloudFront’s origin address)', h, 'address-hour', p.publicIpv4HourlyUsd, 'provisioned'));
  }
  // Every instance re-reads the origin secret's current and previous values every 5 minutes.
  const originSecretReads = instances * 2 * ((p.hoursPerMonth * 3600) / ORIGIN_SECRET_REFRESH_SECONDS);
  lines.push(line('Secrets Manager: CloudFront origin secret', 1, 'secret-month', p.secretMonthUsd, 'provisioned'));
  lines.push(line('Secrets Manager: origin secret reads', originSecretReads / 10_000, '10k requests', p.secretsApiPer10kUsd, 'provisioned'));
  if (natGateways > 0) {
    lines.push(line(`NAT gateways × ${natGateways}`, natGateways * h, 'gateway-hour', p.natGatewayHourlyUsd, 'provisioned'));
    lines.push(line('Public IPv4 addresses (NAT gateways)', natGateways * h, 'address-hour', p.publicIpv4HourlyUsd, 'provisioned'));
  }

  // One customer-managed key for every log group and the alarm topic (yearly rotation: the first two rotations add
  // a key-month each, from the second and third year).
  lines.push(line('KMS key (log groups, alarm topic)', 1, 'key-month', p.kmsKeyMonthUsd, 'provisioned'));
  const logStreams = 4 + 2 * instances;
  lines.push(line(`KMS requests (CloudWatch Logs, about ${logStreams} streams)`, (logStreams * a.kmsRequestsPerLogStreamHour * h) / 10_000, '10k requests', p.kmsPer10kRequestsUsd, 'provisioned'));
  if (spec.edge.firewall) {
    lines.push(line('AWS WAF web ACL (us-east-1)', 1, 'web-ACL-month', p.wafWebAclMonthUsd, 'provisioned'));
    lines.push(line(`AWS WAF rules (${WAF_BILLED_RULES}: rate limit, 2 AWS managed groups)`, WAF_BILLED_RULES, 'rule-month', p.wafRuleMonthUsd, 'provisioned'));
  }

  // The VPC's flow log (all traffic, into CloudWatch Logs as vended logs): the records each instance makes
  // whatever the traffic; the per-request part is a usage line.
  const flowLogGb = (instances * a.flowLogKiBPerInstanceHour * h) / 1024 ** 2;
  lines.push(line(`VPC flow logs, background (${instances} instance${instances > 1 ? 's' : ''})`, flowLogGb, 'GB', p.cloudWatchVendedLogsIngestGbUsd, 'provisioned'));

  const alarms = estimatedAlarms(spec);
  lines.push(line(`CloudWatch alarms (${alarms})`, alarms, 'alarm-month', p.cloudWatchAlarmMonthUsd, 'provisioned'));
  lines.push(line('CloudWatch dashboard', 1, 'dashboard-month', p.cloudWatchDashboardMonthUsd, 'provisioned'));
  return lines;
}

/** Monthly bill that grows with traffic and stored photos, at `users` registered users. */
function usageLines(spec: StageSpec, p: PriceTable, a: Assumptions, users: number): CostLine[] {
  const lines: CostLine[] = [];
  const activeUserDays = users * a.activeShare * a.daysPerMonth;
  const requests = activeUserDays * a.requestsPerActiveUserPerDay;
  const uploads = requests * a.mix.createPhoto;
  const thumbnails = spec.uploads?.thumbnails;

  // Every request reaches the API through CloudFront (origin → CloudFront transfer is free); before CloudFront's free tier.
  lines.push(line('CloudFront API responses out (JSON)', (requests * a.apiResponseKiB) / (1024 * 1024), 'GB', p.cloudFrontDataOutGbUsd, 'usage'));
  lines.push(line('CloudFront API requests (HTTPS)', requests / 10_000, '10k requests', p.cloudFrontHttpsPer10kUsd, 'usage'));
  lines.push(line('CloudWatch Logs ingestion', (requests * a.logBytesPerRequest) / 1024 ** 3, 'GB', p.cloudWatchLogsIngestGbUsd, 'usage'));
  lines.push(line('VPC flow logs, API traffic', (requests * a.flowLogBytesPerRequest) / 1024 ** 3, 'GB', p.cloudWatchVendedLogsIngestGbUsd, 'usage'));
  const volume = dataVolumeGiB(spec);
  if (volume !== undefined) {
    // AWS Backup's daily snapshots of the data volume: the used blocks once, plus each day's new blocks for the retention.
    const perUser = photoBytesPerUser(a) + (spec.database.kind === 'on-instance' ? databaseBytesPerUser(spec, a) : 0);
    const usedGb = Math.min(volume, (users * perUser) / 1024 ** 3);
    const snapshotGb = usedGb * (1 + VOLUME_BACKUP_RETENTION_DAYS * a.snapshotDailyChangeShare);
    lines.push(line(`AWS Backup snapshots of the data volume (${VOLUME_BACKUP_RETENTION_DAYS} daily)`, snapshotGb, 'GB-month', p.ebsSnapshotGbMonthUsd, 'usage'));
  }
  if (spec.compute.kind === 'fleet') {
    const averageRps = requests / (a.daysPerMonth * 86_400);
    lines.push(line('ALB capacity units', (averageRps / a.requestsPerLcuSecond) * p.hoursPerMonth, 'LCU-hour', p.albLcuHourlyUsd, 'usage'));
  }

  // Images go out through CloudFront at every stage: from the API (cached, immutable) before 10k, from the bucket after.
  const imagesGb = activeUserDays * a.imagesViewedPerActiveUserPerDay * a.servedImageMiB * GIB_PER_MIB;
  const from = spec.uploads?.viaCdn ? 'the uploads bucket' : 'the API';
  lines.push(line(`CloudFront image delivery (from ${from})`, imagesGb, 'GB', p.cloudFrontDataOutGbUsd, 'usage'));
  lines.push(line(`CloudFront image requests (from ${from})`, (activeUserDays * a.imagesViewedPerActiveUserPerDay) / 10_000, '10k requests', p.cloudFrontHttpsPer10kUsd, 'usage'));
  if (spec.edge.firewall) {
    // The web ACL inspects every request the distribution receives: API and images.
    const inspected = requests + activeUserDays * a.imagesViewedPerActiveUserPerDay;
    lines.push(line('AWS WAF requests inspected', inspected / 1e6, 'million requests', p.wafPerMillionRequestsUsd, 'usage'));
  }

  if (spec.uploads) {
    // Before the uploads bucket (stages 1-100) photos live on the instance's provisioned disk.
    const storedGb = users * a.storedPhotosPerUser * (a.photoMiB + (thumbnails ? a.thumbnailMiB : 0)) * GIB_PER_MIB;
    lines.push(line('S3 photo storage', storedGb, 'GB-month', p.s3StandardGbMonthUsd, 'usage'));
    lines.push(line('S3 uploads (PUT/POST)', (uploads * (thumbnails ? 2 : 1)) / 1000, '1k requests', p.s3PutPer1kUsd, 'usage'));
  }
  if (thumbnails) {
    const gbSeconds = uploads * a.thumbnailSeconds * (thumbnails.memoryMiB / 1024);
    lines.push(line('Lambda thumbnails (compute)', gbSeconds, 'GB-second', p.lambdaArmGbSecondUsd, 'usage'));
    lines.push(line('Lambda thumbnails (invocations)', uploads / 1e6, 'million requests', p.lambdaPerMillionRequestsUsd, 'usage'));
  }
  if (spec.queue) {
    lines.push(line('SQS requests', (uploads * a.sqsRequestsPerPhoto) / 1e6, 'million requests', p.sqsPerMillionRequestsUsd, 'usage'));
  }
  return lines;
}

/**
 * Estimated monthly on-demand cost of a stage: what it provisions (the fleet
 * at its minimum size) plus the usage of `users` registered users under the
 * stated assumptions. The review tool imports this; keep its shape stable.
 */
export function monthlyCost(spec: StageSpec, options: CostOptions = {}): MonthlyCost {
  const prices = options.prices ?? US_EAST_1;
  const assumptions = validateAssumptions(options.assumptions ?? DEFAULT_ASSUMPTIONS);
  const users = options.users ?? spec.users;
  if (!(users >= 0 && Number.isFinite(users))) throw new Error(`users must be a non-negative number, got ${users}`);
  const natGateways = options.natGateways ?? spec.network.natGateways;
  if (!(Number.isInteger(natGateways) && natGateways >= 0)) throw new Error(`natGateways must be a non-negative integer, got ${natGateways}`);

  const c = spec.compute;
  const minInstances = c.kind === 'fleet' ? c.minCapacity : 1;
  const maxInstances = c.kind === 'fleet' ? c.maxCapacity : 1;
  const secondRegion = options.secondRegion ?? pricesFor(DEFAULT_SECOND_REGION, prices);
  const regional = secondRegionLines(spec, prices, secondRegion, assumptions, users);
  const provisioned = [...provisionedLines(spec, prices, assumptions, natGateways, minInstances), ...regional.filter((l) => l.basis === 'provisioned')];
  const usage = [...usageLines(spec, prices, assumptions, users), ...regional.filter((l) => l.basis === 'usage')];
  const lines = [...provisioned, ...usage];
  const totalUsd = sum(lines);
  const perInstanceUsd = hourly(prices, 'ec2HourlyUsd', c.instanceType) * prices.hoursPerMonth + c.rootVolumeGiB * prices.ebsGp3GbMonthUsd;
  return {
    stage: spec.name,
    users,
    totalUsd,
    provisionedUsd: sum(provisioned),
    usageUsd: sum(usage),
    totalAtMaxCapacityUsd: totalUsd + (maxInstances - minInstances) * perInstanceUsd,
    lines,
    prices: { region: prices.region, asOf: prices.asOf },
    secondRegionPrices: spec.regions
      ? { region: secondRegion.region, table: secondRegion.table.region, asOf: secondRegion.table.asOf, standIn: secondRegion.standIn }
      : undefined,
  };
}
