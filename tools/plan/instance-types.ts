/**
 * CPU and memory facts of the instance classes the stages use (not prices:
 * these do not change with time). Burstable classes (t4g) can only sustain
 * their baseline share of each vCPU; above it they spend CPU credits, so
 * capacity planning uses the baseline.
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html (burstable baselines)
 * @see https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html (cache node memory)
 */
export interface CpuFacts {
  readonly vcpus: number;
  /** Sustained share of each vCPU (1 for non-burstable classes). */
  readonly baselineShare: number;
  /** Memory in GiB (a cache node: the memory Redis may use before reserved memory). */
  readonly memoryGiB: number;
}

const FACTS: Readonly<Record<string, CpuFacts>> = {
  't4g.small': { vcpus: 2, baselineShare: 0.2, memoryGiB: 2 },
  't4g.medium': { vcpus: 2, baselineShare: 0.2, memoryGiB: 4 },
  'c7g.large': { vcpus: 2, baselineShare: 1, memoryGiB: 4 },
  'c7g.xlarge': { vcpus: 4, baselineShare: 1, memoryGiB: 8 },
  'db.t4g.micro': { vcpus: 2, baselineShare: 0.1, memoryGiB: 1 },
  'db.t4g.small': { vcpus: 2, baselineShare: 0.2, memoryGiB: 2 },
  'db.t4g.medium': { vcpus: 2, baselineShare: 0.2, memoryGiB: 4 },
  'db.r7g.large': { vcpus: 2, baselineShare: 1, memoryGiB: 16 },
  'db.r7g.xlarge': { vcpus: 4, baselineShare: 1, memoryGiB: 32 },
  'cache.r7g.large': { vcpus: 2, baselineShare: 1, memoryGiB: 13.07 },
};

/** CPU facts of an instance class; throws naming the unknown class. */
export function cpuFacts(instanceClass: string): CpuFacts {
  const facts = FACTS[instanceClass];
  if (!facts) throw new Error(`unknown instance class "${instanceClass}": add its vCPUs and baseline to tools/plan/instance-types.ts`);
  return facts;
}

/** vCPUs an instance class can keep busy all the time. */
export function sustainedVcpus(instanceClass: string): number {
  const { vcpus, baselineShare } = cpuFacts(instanceClass);
  return vcpus * baselineShare;
}

/** Memory of an instance class in GiB. */
export function memoryGiB(instanceClass: string): number {
  return cpuFacts(instanceClass).memoryGiB;
}

/**
 * RDS PostgreSQL's default max_connections for a class, LEAST(DBInstanceClassMemory / 9531392, 5000),
 * computed as the connections alarm does (lib/constructs/monitoring/database-alarms.ts; a test keeps them equal).
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections
 */
export function rdsMaxConnections(instanceClass: string): number {
  return Math.min(Math.floor((memoryGiB(instanceClass) * 1024 ** 3) / 9531392), 5000);
}
