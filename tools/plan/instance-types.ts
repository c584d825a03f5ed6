/**
 * CPU facts of the instance classes the stages use (not prices: these do not
 * change with time). Burstable classes (t4g) can only sustain their baseline
 * share of each vCPU; above it they spend CPU credits, so capacity planning
 * uses the baseline.
 * @see https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html (burstable baselines)
 */
export interface CpuFacts {
  readonly vcpus: number;
  /** Sustained share of each vCPU (1 for non-burstable classes). */
  readonly baselineShare: number;
}

const FACTS: Readonly<Record<string, CpuFacts>> = {
  't4g.small': { vcpus: 2, baselineShare: 0.2 },
  't4g.medium': { vcpus: 2, baselineShare: 0.2 },
  'c7g.large': { vcpus: 2, baselineShare: 1 },
  'c7g.xlarge': { vcpus: 4, baselineShare: 1 },
  'db.t4g.micro': { vcpus: 2, baselineShare: 0.1 },
  'db.t4g.small': { vcpus: 2, baselineShare: 0.2 },
  'db.t4g.medium': { vcpus: 2, baselineShare: 0.2 },
  'db.r7g.large': { vcpus: 2, baselineShare: 1 },
  'db.r7g.xlarge': { vcpus: 4, baselineShare: 1 },
  'cache.r7g.large': { vcpus: 2, baselineShare: 1 },
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
