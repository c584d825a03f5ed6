/**
 * The shape of one growth stage. A stage is data: constructs read these fields
 * and never branch on the stage's name. Every field is readonly, and a stage is
 * written as the previous stage plus its changes (see `ladder.ts`).
 */
import { VISIBILITY_TIMEOUT_FACTOR } from '../contracts/work-queue';

/** The eight stages, in order of growth. */
export const STAGE_NAMES = ['1', '10', '100', '1k', '10k', '100k', '1m', '10m'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** The VPC. */
export interface NetworkSpec {
  /**
   * NAT gateways for the fleet's private subnets: 0 while no private-with-egress
   * subnet is used, 1 from the fleet, one per AZ when an AZ outage must not cut
   * the fleet off from AWS APIs.
   */
  readonly natGateways: number;
}

/** Where the API runs. */
export type ComputeSpec =
  | {
      /** One EC2 instance; it holds state, so it is updated in place, never replaced. Its Elastic IP is CloudFront's origin address. */
      readonly kind: 'single-instance';
      readonly instanceType: string;
      readonly rootVolumeGiB: number;
    }
  | {
      /** An Auto Scaling group behind an Application Load Balancer. */
      readonly kind: 'fleet';
      readonly instanceType: string;
      readonly rootVolumeGiB: number;
      readonly minCapacity: number;
      readonly maxCapacity: number;
      /** Target-tracking scaling keeps average CPU near this. */
      readonly targetCpuPercent: number;
    };

/** Where PostgreSQL runs. */
export type DatabaseSpec =
  | {
      /** PostgreSQL on the API instance, its files on a separate encrypted EBS volume. */
      readonly kind: 'on-instance';
      readonly volumeGiB: number;
    }
  | {
      /** Managed RDS PostgreSQL. */
      readonly kind: 'rds';
      readonly engineMajorVersion: string;
      readonly instanceClass: string;
      readonly allocatedStorageGiB: number;
      readonly maxAllocatedStorageGiB: number;
      readonly multiAz: boolean;
      readonly backupRetentionDays: number;
      /** Read replicas per primary. */
      readonly readReplicas: number;
      /** Physical primaries; above 1 the logical shards are spread over them. */
      readonly primaries: number;
      /**
       * Days between automatic rotations of each primary's credentials (Secrets
       * Manager, single-user rotation). The API re-reads the secret when
       * PostgreSQL refuses the password it holds, so a rotation breaks nothing.
       */
      readonly credentialRotationDays: number;
      /** Enhanced Monitoring interval (OS metrics into CloudWatch Logs) of every instance, primaries and replicas. */
      readonly enhancedMonitoringSeconds: 1 | 5 | 10 | 15 | 30 | 60;
    };

/**
 * CloudFront in front of the whole app, from the first stage: users reach it
 * only over HTTPS (HTTP is redirected, HSTS is sent), and every origin accepts
 * only CloudFront.
 */
export interface EdgeSpec {
  readonly priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
  /** AWS WAF on the distribution (a web ACL in us-east-1, where CloudFront's must live). @default none */
  readonly firewall?: FirewallSpec;
}

/** The distribution's web ACL: AWS managed rule groups and a rate limit on sign-up and log-in. */
export interface FirewallSpec {
  /**
   * What AWS's common rule set does to a request it matches. `count` only
   * records it (metrics and sampled requests): its body rules (8 KB size
   * limit, cross-site scripting, file inclusion) also match photo uploads
   * through the API, so it stays in count mode until the sampled matches show
   * which rules to exclude for the upload route (docs/edge.md).
   */
  readonly commonRuleSet: 'count' | 'block';
  /**
   * Sign-up and log-in requests (POST /api/users, POST /api/sessions) one
   * client IP may make in five minutes before the web ACL blocks it; above
   * the API's own per-IP limits, so it stops floods before they reach the
   * password hashing without refusing anyone the API would accept.
   */
  readonly signInRequestsPerFiveMinutes: number;
}

/** The static web client in a private, versioned S3 bucket behind the distribution (instead of the API serving it). */
export interface SiteSpec {
  /** Days a replaced build's files are kept (a rollback can still serve them). */
  readonly noncurrentVersionDays: number;
}

/** The thumbnail function. */
export interface ThumbnailsSpec {
  readonly memoryMiB: number;
  readonly maxWidthPx: number;
  /**
   * Concurrent executions reserved for (and capping) the function. Lambda
   * refuses a reservation that leaves the account less than its minimum
   * unreserved concurrency (100, or less on a new account whose whole quota
   * may be 10), so a reservation can fail a first deploy: set one only in an
   * account whose quota has room. Without one the function shares the
   * account's pool, which the app's other functions (deploy-time custom
   * resources) barely use.
   * @default no reservation
   */
  readonly reservedConcurrency?: number;
}

/** Photo files in an S3 bucket. */
export interface UploadsSpec {
  /** Served through CloudFront under `/media/*`. */
  readonly viaCdn: boolean;
  /** Browsers upload straight to S3 with presigned POSTs (needs bucket CORS). */
  readonly presignedBrowserUploads: boolean;
  /** A Lambda function makes thumbnails on upload. */
  readonly thumbnails?: ThumbnailsSpec;
  /** The largest upload the CDN's image handling accepts: the API's own limit, `MAX_UPLOAD_BYTES` (contracts/photo-uploads.ts). */
  readonly maxUploadBytes: number;
}

/** ElastiCache Redis. */
export interface CacheSpec {
  readonly nodeType: string;
  /** Cluster mode enabled: number of node groups (shards). */
  readonly shards: number;
  readonly replicasPerShard: number;
  readonly engineVersion: string;
}

/** Logical shards spread over several physical primaries. */
export interface ShardingSpec {
  /** Fixed forever: every ID carries one of these, so it can never change (`LOGICAL_SHARDS`, contracts/ids.ts). */
  readonly logicalShards: number;
}

/** Asynchronous work through SQS, consumed by the worker service on the fleet. */
export interface QueueSpec {
  /** Receives before a message moves to the dead-letter queue (the redrive policy). */
  readonly maxReceiveCount: number;
  /**
   * Longest a worker lets one job run before giving up on it. The queue's
   * visibility timeout is derived from it (`queueVisibilityTimeoutSeconds`),
   * so a message never reappears while a worker still runs it.
   */
  readonly jobTimeoutSeconds: number;
  /** Jobs one worker process (one per fleet instance) runs at once. */
  readonly workerConcurrency: number;
}

/** The SQS visibility timeout the queue gets for a stage's job timeout (why the factor: contracts/work-queue.ts). */
export function queueVisibilityTimeoutSeconds(spec: QueueSpec): number {
  return spec.jobTimeoutSeconds * VISIBILITY_TIMEOUT_FACTOR;
}

/**
 * How the API's own request metrics (its EMF lines, the whole API: namespace
 * `Graminsta/Api`, no dimension) are judged: p99 `Latency` against
 * `MonitoringSpec.latencyAlarmSeconds` and the 5xx rate (`Status5xx /
 * Requests`) against `serverErrorPercent`, per window. Why each stage's
 * values: docs/metrics.md, "Alarms".
 */
export interface RequestAlarmSpec {
  /** Length of one judged window: long enough that a window of this stage's traffic holds `minRequests`. */
  readonly windowMinutes: number;
  /** Consecutive windows over the target before the alarm fires. */
  readonly windows: number;
  /**
   * A window with fewer requests is not judged (reads as 0): the p99 of a
   * handful of requests is their slowest one, often a log-in's deliberately
   * slow scrypt, and two failures of ten requests are not a 20 % error rate
   * worth a page.
   */
  readonly minRequests: number;
  /** Alarm when more than this percentage of the window's requests were answered 500-599. */
  readonly serverErrorPercent: number;
}

/**
 * The limit a stage reaches first (what `npm run plan` finds: docs/capacity.md)
 * and so the condition that says it is time to climb the ladder. Both the plan
 * (its "signal" text) and the Monitoring stack's when-to-climb alarm read it
 * through `climbCondition` (stages/climb-signals.ts).
 */
export type ClimbSignal =
  /** The instance's data volume (photos, and at stage 1 PostgreSQL) filling up. */
  | { readonly kind: 'data-volume-full' }
  /** The fleet's CPU near what its maximum size gives at the target CPU: scaling out has nowhere left to go. */
  | { readonly kind: 'fleet-at-maximum' }
  /**
   * The primaries' hot data outgrowing their memory: reads go to disk, so
   * ReadIOPS climbs. `readIops`: a primary's sustained read operations per
   * second that say so.
   */
  | { readonly kind: 'database-memory'; readonly readIops: number }
  /**
   * The primaries' CPU near the share of it the stage plans on (the plan's
   * database utilisation): the primary, not the fleet, is the first CPU to
   * run out (reads and writes on one server, no replicas yet). `cpuPercent`:
   * the busiest primary's average CPU that says so (80 % of the planned share;
   * test/tools/plan/climb-signals.test.ts checks the two agree).
   */
  | { readonly kind: 'database-cpu'; readonly cpuPercent: number };

export interface MonitoringSpec {
  /** Alarm when average CPU stays above this. */
  readonly cpuAlarmPercent: number;
  /**
   * The stage's p99 latency target: alarm when the API's own p99 (its EMF
   * `Latency`, every stage) and, on a fleet, the load balancer's p99 target
   * response time stay above it.
   */
  readonly latencyAlarmSeconds: number;
  /** The request alarms' windows, guard and 5xx target. */
  readonly requests: RequestAlarmSpec;
  /** What says this stage is full: the when-to-climb alarm. */
  readonly climb: ClimbSignal;
  readonly logRetentionDays: number;
}

/**
 * What the second region runs (stage 10m). Which regions they are is not part
 * of the stage: the app reads them from `-c regions=<home>,<second>`, and which
 * one takes writes is run-time configuration (contracts/region-config.ts).
 */
export interface SecondRegionSpec {
  /**
   * The second region's VPC range: it must not overlap the home VPC's
   * (`HOME_VPC_CIDR`), because the two are peered and route to each other.
   * Fixed once deployed (a VPC's CIDR cannot change).
   */
  readonly vpcCidr: string;
  readonly natGateways: number;
  /** Its own fleet behind its own load balancer, serving reads and forwarding writes. */
  readonly compute: Extract<ComputeSpec, { kind: 'fleet' }>;
  /** Its own Redis: the cache is regional, never replicated (its staleness bound is the cache TTL). */
  readonly cache: CacheSpec;
  /**
   * One cross-region read replica of every shard primary, of this class
   * (a failover promotes them, so they match the primaries' class).
   */
  readonly replicaInstanceClass: string;
  /**
   * Cross-region replica lag (seconds, RDS `ReplicaLag`) that alarms when held
   * for 5 minutes. A failover promotes the replicas, so while this alarm is
   * quiet it loses at most about this many seconds of acknowledged writes
   * (docs/runbooks/failover.md, "RPO and RTO"): the failover's RPO bound.
   */
  readonly replicaLagAlarmSeconds: number;
  /** Its own SQS queue and worker (slow work stays in the region that made it). */
  readonly queue: QueueSpec;
  /** The uploads bucket's replica: S3 replication copies every new object here. */
  readonly uploadsReplica: {
    /** Replicated objects' storage class: the replica serves reads (the CDN's failover origin), so it stays Standard. */
    readonly storageClass: 'STANDARD';
  };
}

/** The regions of a stage beyond the home region (10m). */
export interface RegionsSpec {
  readonly second: SecondRegionSpec;
}

/** The home VPC's range, from stage 1 (lib/constructs/network/network.ts uses it; the second region's must not overlap it). */
export const HOME_VPC_CIDR = '10.0.0.0/16';

export interface StageSpec {
  readonly name: StageName;
  /** The users this stage is built for (the ladder's label). */
  readonly users: number;
  /** What this stage changes and why: one line of the ladder table. */
  readonly summary: string;
  readonly network: NetworkSpec;
  readonly compute: ComputeSpec;
  readonly database: DatabaseSpec;
  readonly edge: EdgeSpec;
  /** Absent: the API serves the web client itself (through the distribution). */
  readonly site?: SiteSpec;
  /** Absent: photos are files on the instance's disk. */
  readonly uploads?: UploadsSpec;
  readonly cache?: CacheSpec;
  readonly sharding?: ShardingSpec;
  readonly queue?: QueueSpec;
  /** A second, serving region (10m). @default one region */
  readonly regions?: RegionsSpec;
  readonly monitoring: MonitoringSpec;
  /**
   * Capabilities of the previous stage that this stage deliberately replaces,
   * with what replaces them (e.g. the single instance by the fleet). A stage
   * may drop a capability only when it is named here.
   */
  readonly replaces?: Readonly<Record<string, string>>;
}
