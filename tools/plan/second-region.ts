import type { StageSpec } from '../../stages/stage-spec';
import type { Assumptions } from './assumptions';
// Type only: cost-model.ts calls this module; the cost line's shape has one home there.
import type { CostLine } from './cost-model';
import { hourly, type PriceTable, type RegionPrices } from './price-table';


const line = (item: string, quantity: number, unit: string, unitUsd: number, basis: CostLine['basis']): CostLine => ({ item, quantity, unit, unitUsd, usd: quantity * unitUsd, basis });

/**
 * CloudWatch alarms of the second region's Monitoring stack (`<app>-<region>-Monitoring`), counted as
 * its constructs make them: the API's p99 and 5xx rate, the fleet's seven, three per Redis node, four per
 * cross-region replica (CPU, free storage, connections, replica lag) and the work queue's three.
 */
export function estimatedSecondRegionAlarms(spec: StageSpec): number {
  const second = spec.regions?.second;
  if (!second || spec.database.kind !== 'rds') return 0;
  return 2 + 7 + 3 * second.cache.shards * (1 + second.cache.replicasPerShard) + 4 * spec.database.primaries + 3;
}

/**
 * What stage 10m's second region adds to the bill. What runs there is
 * priced with that region's table (`second`), or with the home table
 * standing in when none is committed (the item names and the plan's
 * assumptions say which). Data sent between the regions is billed by the
 * region that sends it: home's rate for the replication out of home (WAL,
 * photos), the second region's for the writes it forwards home.
 *
 * Provisioned: the second fleet at its minimum, one cross-region replica per
 * primary (instance and storage), the second Redis, NAT gateways, three more
 * load balancers (the second internal one and a public origin per region),
 * two KMS keys, the second region's alarms and dashboard, two Route 53
 * health checks. Usage: what crosses regions at the inter-region rate: every
 * write's WAL to each cross-region replica, each stored photo's replica (and
 * its storage), and the writes the second region forwards home; plus
 * CloudFront's latency lookups of the origin name.
 */
export function secondRegionLines(spec: StageSpec, home: PriceTable, secondPrices: RegionPrices, a: Assumptions, users: number): CostLine[] {
  const second = spec.regions?.second;
  if (!second || spec.database.kind !== 'rds') return [];
  const p = secondPrices.table;
  const h = p.hoursPerMonth;
  const db = spec.database;
  const c = second.compute;
  const there = `Second region (${secondPrices.region})`;
  const lines: CostLine[] = [
    line(`${there}: EC2 ${c.instanceType} × ${c.minCapacity}`, c.minCapacity * h, 'instance-hour', hourly(p, 'ec2HourlyUsd', c.instanceType), 'provisioned'),
    line(`${there}: EBS gp3 root volumes (${c.minCapacity} × ${c.rootVolumeGiB} GiB)`, c.minCapacity * c.rootVolumeGiB, 'GB-month', p.ebsGp3GbMonthUsd, 'provisioned'),
    line(
      `${there}: cross-region RDS replicas ${second.replicaInstanceClass} × ${db.primaries} (Single-AZ)`,
      db.primaries * h,
      'instance-hour',
      hourly(p, 'rdsPostgresHourlyUsd', second.replicaInstanceClass),
      'provisioned',
    ),
    line(`${there}: RDS replica storage (${db.allocatedStorageGiB} GiB × ${db.primaries}, as their primaries)`, db.allocatedStorageGiB * db.primaries, 'GB-month', p.rdsStorageGbMonthUsd, 'provisioned'),
  ];
  const nodes = second.cache.shards * (1 + second.cache.replicasPerShard);
  lines.push(line(`${there}: ElastiCache ${second.cache.nodeType} × ${nodes}`, nodes * h, 'node-hour', hourly(p, 'elastiCacheHourlyUsd', second.cache.nodeType), 'provisioned'));
  lines.push(line(`${there}: Secrets Manager, Redis AUTH token`, 1, 'secret-month', p.secretMonthUsd, 'provisioned'));
  if (second.natGateways > 0) {
    lines.push(line(`${there}: NAT gateways × ${second.natGateways}`, second.natGateways * h, 'gateway-hour', p.natGatewayHourlyUsd, 'provisioned'));
    lines.push(line(`${there}: public IPv4 addresses (NAT gateways)`, second.natGateways * h, 'address-hour', p.publicIpv4HourlyUsd, 'provisioned'));
  }
  // The second region's internal load balancer and its public origin (two public addresses, one per AZ); home's public origin at home's prices.
  lines.push(line(`${there}: load balancers (internal, public origin)`, 2 * h, 'hour', p.albHourlyUsd, 'provisioned'));
  lines.push(line(`${there}: public IPv4 addresses (public origin, 2)`, 2 * h, 'address-hour', p.publicIpv4HourlyUsd, 'provisioned'));
  lines.push(line('Home region: public origin load balancer (10m)', h, 'hour', home.albHourlyUsd, 'provisioned'));
  lines.push(line('Home region: public IPv4 addresses (public origin, 2)', 2 * h, 'address-hour', home.publicIpv4HourlyUsd, 'provisioned'));
  lines.push(line(`${there}: KMS keys (logs, replicas)`, 2, 'key-month', p.kmsKeyMonthUsd, 'provisioned'));
  const alarms = estimatedSecondRegionAlarms(spec);
  lines.push(line(`${there}: CloudWatch alarms (${alarms})`, alarms, 'alarm-month', p.cloudWatchAlarmMonthUsd, 'provisioned'));
  lines.push(line(`${there}: CloudWatch dashboard`, 1, 'dashboard-month', p.cloudWatchDashboardMonthUsd, 'provisioned'));
  // Route 53 is a global service: one price list.
  lines.push(line('Route 53 health checks (one per region)', 2, 'health-check-month', home.route53HealthCheckMonthUsd, 'provisioned'));
  lines.push(line('Route 53 health checks: HTTPS (of /readyz on each public origin)', 2, 'health-check-month', home.route53HealthCheckHttpsMonthUsd, 'provisioned'));

  const activeUserDays = users * a.activeShare * a.daysPerMonth;
  const requests = activeUserDays * a.requestsPerActiveUserPerDay;
  const writeUnits = Object.entries(a.mix).reduce((total, [kind, share]) => total + requests * share * a.dbWork[kind as keyof typeof a.dbWork].write, 0);
  lines.push(line('Cross-region, sent by home: database replication (WAL of every write to its replica)', (writeUnits * a.walBytesPerWriteUnit) / 1024 ** 3, 'GB', home.interRegionTransferGbUsd, 'usage'));
  const uploads = requests * a.mix.createPhoto;
  const photoGb = (uploads * (a.photoMiB + (spec.uploads?.thumbnails ? a.thumbnailMiB : 0))) / 1024;
  lines.push(line('Cross-region, sent by home: S3 replication of new photos', photoGb, 'GB', home.interRegionTransferGbUsd, 'usage'));
  const storedGb = (users * a.storedPhotosPerUser * (a.photoMiB + (spec.uploads?.thumbnails ? a.thumbnailMiB : 0))) / 1024;
  lines.push(line(`${there}: S3 replica storage`, storedGb, 'GB-month', p.s3StandardGbMonthUsd, 'usage'));
  const forwarded = writeUnits * a.secondRegionRequestShare;
  lines.push(line(`Cross-region, sent by the second region: writes forwarded home`, (forwarded * a.forwardedWriteKiB) / 1024 ** 2, 'GB', p.interRegionTransferGbUsd, 'usage'));
  // CloudFront resolves the origin name about once a minute per edge location and origin; counted generously as one query per 1,000 requests.
  lines.push(line('Route 53 latency queries (CloudFront resolving the origin)', requests / 1000 / 1e6, 'million queries', home.route53LatencyQueriesPerMillionUsd, 'usage'));
  return lines;
}
