import table from './prices-us-east-1.json';

/**
 * A dated on-demand price table for one region. Hourly prices per resource
 * type, monthly prices per GB or per unit; `hoursPerMonth` turns one into the other.
 */
export interface PriceTable {
  readonly region: string;
  readonly currency: 'USD';
  /** The day the figures were written down (ISO date). */
  readonly asOf: string;
  readonly hoursPerMonth: number;
  /** Where the figures come from. */
  readonly source: string;
  readonly caveat: string;
  readonly ec2HourlyUsd: Readonly<Record<string, number>>;
  readonly rdsPostgresHourlyUsd: Readonly<Record<string, number>>;
  /** Multi-AZ (one standby) costs this many times the single-AZ instance and storage. */
  readonly rdsMultiAzFactor: number;
  readonly rdsStorageGbMonthUsd: number;
  readonly elastiCacheHourlyUsd: Readonly<Record<string, number>>;
  readonly ebsGp3GbMonthUsd: number;
  readonly publicIpv4HourlyUsd: number;
  readonly natGatewayHourlyUsd: number;
  readonly albHourlyUsd: number;
  readonly albLcuHourlyUsd: number;
  readonly cloudFrontDataOutGbUsd: number;
  readonly cloudFrontHttpsPer10kUsd: number;
  readonly dataTransferOutGbUsd: number;
  readonly s3StandardGbMonthUsd: number;
  readonly s3PutPer1kUsd: number;
  readonly lambdaArmGbSecondUsd: number;
  readonly lambdaPerMillionRequestsUsd: number;
  readonly sqsPerMillionRequestsUsd: number;
  readonly secretMonthUsd: number;
  /** Secrets Manager API calls (GetSecretValue), per 10,000. */
  readonly secretsApiPer10kUsd: number;
  readonly cloudWatchAlarmMonthUsd: number;
  readonly cloudWatchDashboardMonthUsd: number;
  readonly cloudWatchLogsIngestGbUsd: number;
  /** Vended logs (VPC flow logs) delivered to CloudWatch Logs, per GB (the first 10 TB a month). */
  readonly cloudWatchVendedLogsIngestGbUsd: number;
  /** EBS snapshots (standard tier), per GB-month of changed blocks kept. */
  readonly ebsSnapshotGbMonthUsd: number;
  /** A customer-managed KMS key, per month (each of its first two automatic rotations adds as much again). */
  readonly kmsKeyMonthUsd: number;
  readonly kmsPer10kRequestsUsd: number;
  /** A VPC interface endpoint, per AZ (network interface) and hour. */
  readonly interfaceEndpointHourlyUsd: number;
  /** Data transfer between two AWS regions (10m: database replication, S3 replication, forwarded writes), per GB, charged to the sender. */
  readonly interRegionTransferGbUsd: number;
  /** One Route 53 health check of an AWS endpoint (10m: one per region, HTTPS on /readyz). */
  readonly route53HealthCheckMonthUsd: number;
  /** A Route 53 health check's HTTPS option, per check (an optional feature, priced apart for AWS endpoints). */
  readonly route53HealthCheckHttpsMonthUsd: number;
  /** Route 53 latency-based routing queries, per million. */
  readonly route53LatencyQueriesPerMillionUsd: number;
  /** An AWS WAF web ACL, per month. */
  readonly wafWebAclMonthUsd: number;
  /** Each rule of a web ACL, per month (a managed rule group counts as one). */
  readonly wafRuleMonthUsd: number;
  /** Requests a web ACL inspects, per million. */
  readonly wafPerMillionRequestsUsd: number;
}

/** The committed us-east-1 table (see its `source` and `caveat`). */
export const US_EAST_1: PriceTable = table as PriceTable;

/** Every committed table (`tools/plan/prices-<region>.json`), by region. Only us-east-1 today. */
export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = { [US_EAST_1.region]: US_EAST_1 };

/** The prices a region is billed at: its own table, or another region's as a stated stand-in. */
export interface RegionPrices {
  /** The region being priced. */
  readonly region: string;
  readonly table: PriceTable;
  /** True when `table` is another region's (no table of this region is committed). */
  readonly standIn: boolean;
}

/** The region's committed table, or `fallback` standing in for it (said so wherever the figures are shown). */
export function pricesFor(region: string, fallback: PriceTable = US_EAST_1, tables: Readonly<Record<string, PriceTable>> = PRICE_TABLES): RegionPrices {
  const own = tables[region];
  return own ? { region, table: own, standIn: false } : { region, table: fallback, standIn: true };
}

/** How a region's prices read in the plan: `eu-west-1 prices` or `us-east-1 prices (no eu-west-1 table)`. */
export function pricesLabel(prices: RegionPrices): string {
  return prices.standIn ? `${prices.table.region} prices (no ${prices.region} table)` : `${prices.region} prices`;
}

/** The hourly price of `type` in one of the table's maps; throws naming the missing type and the table's date. */
export function hourly(prices: PriceTable, map: 'ec2HourlyUsd' | 'rdsPostgresHourlyUsd' | 'elastiCacheHourlyUsd', type: string): number {
  const price = prices[map][type];
  if (typeof price !== 'number' || !(price >= 0)) {
    throw new Error(`no ${map} price for "${type}" in the ${prices.region} table of ${prices.asOf}: add it to tools/plan/prices-${prices.region}.json`);
  }
  return price;
}
