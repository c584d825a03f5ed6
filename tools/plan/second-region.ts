import type { StageSpec } from '../../stages/stage-spec';
import type { Assumptions } from './assumptions';
import { hourly, type PriceTable } from './price-table';

/** One cost line, as cost-model.ts writes them. */
interface Line {
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitUsd: number;
  readonly usd: number;
  readonly basis: 'provisioned' | 'usage';
}

const line = (item: string, quantity: number, unit: string, unitUsd: number, basis: Line['basis']): Line => ({ item, quantity, unit, unitUsd, usd: quantity * unitUsd, basis });

/**
 * What stage 10m's second region adds to the bill, priced with the same
 * table as the home region (a stated assumption: eu-west-1 and most other
 * regions list within about 10 % of us-east-1 for these services).
 *
 * Provisioned: the second fleet at its minimum, one cross-region replica per
 * primary (instance and storage), the second Redis, NAT gateways, three more
 * load balancers (the second internal one and a public origin per region),
 * two KMS keys, two Route 53 health checks. Usage: what crosses regions at
 * the inter-region rate: every write's WAL to each cross-region replica, each
 * stored photo's replica (and its storage), and the writes the second region
 * forwards home; plus CloudFront's latency lookups of the origin name.
 */
export function secondRegionLines(spec: StageSpec, p: PriceTable, a: Assumptions, users: number): Line[] {
  const second = spec.regions?.second;
  if (!second || spec.database.kind !== 'rds') return [];
  const h = p.hoursPerMonth;
  const db = spec.database;
  const c = second.compute;
  const lines: Line[] = [
    line(`Second region: EC2 ${c.instanceType} × ${c.minCapacity}`, c.minCapacity * h, 'instance-hour', hourly(p, 'ec2HourlyUsd', c.instanceType), 'provisioned'),
    line(`Second region: EBS gp3 root volumes (${c.minCapacity} × ${c.rootVolumeGiB} GiB)`, c.minCapacity * c.rootVolumeGiB, 'GB-month', p.ebsGp3GbMonthUsd, 'provisioned'),
    line(
      `Second region: cross-region RDS replicas ${second.replicaInstanceClass} × ${db.primaries}`,
      db.primaries * h,
      'instance-hour',
      hourly(p, 'rdsPostgresHourlyUsd', second.replicaInstanceClass),
      'provisioned',
    ),
    line(`Second region: RDS replica storage (${db.allocatedStorageGiB} GiB × ${db.primaries})`, db.allocatedStorageGiB * db.primaries, 'GB-month', p.rdsStorageGbMonthUsd, 'provisioned'),
  ];
  const nodes = second.cache.shards * (1 + second.cache.replicasPerShard);
  lines.push(line(`Second region: ElastiCache ${second.cache.nodeType} × ${nodes}`, nodes * h, 'node-hour', hourly(p, 'elastiCacheHourlyUsd', second.cache.nodeType), 'provisioned'));
  lines.push(line('Second region: Secrets Manager, Redis AUTH token', 1, 'secret-month', p.secretMonthUsd, 'provisioned'));
  if (second.natGateways > 0) {
    lines.push(line(`Second region: NAT gateways × ${second.natGateways}`, second.natGateways * h, 'gateway-hour', p.natGatewayHourlyUsd, 'provisioned'));
    lines.push(line('Second region: public IPv4 addresses (NAT gateways)', second.natGateways * h, 'address-hour', p.publicIpv4HourlyUsd, 'provisioned'));
  }
  // The second region's internal load balancer, and a public origin in each region (two public addresses each, one per AZ).
  lines.push(line('Load balancers added for two regions (second internal, 2 public origins)', 3 * h, 'hour', p.albHourlyUsd, 'provisioned'));
  lines.push(line('Public IPv4 addresses (public origins, 2 per region)', 4 * h, 'address-hour', p.publicIpv4HourlyUsd, 'provisioned'));
  lines.push(line('Second region: KMS keys (logs, replicas)', 2, 'key-month', p.kmsKeyMonthUsd, 'provisioned'));
  lines.push(line('Route 53 health checks (one per region)', 2, 'health-check-month', p.route53HealthCheckMonthUsd, 'provisioned'));
  lines.push(line('Route 53 health checks: HTTPS (of /readyz on each public origin)', 2, 'health-check-month', p.route53HealthCheckHttpsMonthUsd, 'provisioned'));

  const activeUserDays = users * a.activeShare * a.daysPerMonth;
  const requests = activeUserDays * a.requestsPerActiveUserPerDay;
  const writeUnits = Object.entries(a.mix).reduce((total, [kind, share]) => total + requests * share * a.dbWork[kind as keyof typeof a.dbWork].write, 0);
  lines.push(line('Cross-region: database replication (WAL of every write to its replica)', (writeUnits * a.walBytesPerWriteUnit) / 1024 ** 3, 'GB', p.interRegionTransferGbUsd, 'usage'));
  const uploads = requests * a.mix.createPhoto;
  const photoGb = (uploads * (a.photoMiB + (spec.uploads?.thumbnails ? a.thumbnailMiB : 0))) / 1024;
  lines.push(line('Cross-region: S3 replication of new photos', photoGb, 'GB', p.interRegionTransferGbUsd, 'usage'));
  const storedGb = (users * a.storedPhotosPerUser * (a.photoMiB + (spec.uploads?.thumbnails ? a.thumbnailMiB : 0))) / 1024;
  lines.push(line('Second region: S3 replica storage', storedGb, 'GB-month', p.s3StandardGbMonthUsd, 'usage'));
  const forwarded = writeUnits * a.secondRegionRequestShare;
  lines.push(line('Cross-region: writes forwarded home from the second region', (forwarded * a.forwardedWriteKiB) / 1024 ** 2, 'GB', p.interRegionTransferGbUsd, 'usage'));
  // CloudFront resolves the origin name about once a minute per edge location and origin; counted generously as one query per 1,000 requests.
  lines.push(line('Route 53 latency queries (CloudFront resolving the origin)', requests / 1000 / 1e6, 'million queries', p.route53LatencyQueriesPerMillionUsd, 'usage'));
  return lines;
}
