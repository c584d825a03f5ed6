/**
 * The region configuration of stage 10m: which region takes writes (the home
 * region) and where each region's API can be reached for a forwarded write.
 * It is run-time configuration, like the shard map: an SSM parameter in every
 * region (REGION_CONFIG_PARAMETER) that the API re-reads every
 * REGION_CONFIG_REFRESH_MS, or a JSON literal (REGION_CONFIG) locally and in
 * tests. The stacks write its first value; `npm run failover` rewrites it in
 * every region it can reach, target region first, so a failover needs no
 * deploy. `epoch` grows by one at each change of home: an API that sees a
 * lower epoch than one it already saw ignores it (a stale copy in a region the
 * failover could not reach never moves home back). Imports nothing.
 */

/** AWS region names (`us-east-1`), and the names the local two-region tests use (`region-a`). */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d$|^region-[a-z]$/;

/** One region of the app. */
export interface RegionEntry {
  /** `us-east-1`, `eu-west-1`; locally `region-a`, `region-b`. */
  readonly name: string;
  /**
   * The base URL another region's API forwards a write to (the region's own
   * load balancer, reached over the peered VPCs; a loopback URL in tests).
   */
  readonly apiUrl: string;
}

/** The parameter's JSON. */
export interface RegionConfig {
  /** The region that takes writes: one of `regions`. */
  readonly home: string;
  /** Grows by one at each failover or failback. */
  readonly epoch: number;
  /** Every region, home included, at least two, names unique. */
  readonly regions: readonly RegionEntry[];
}

/** Raised for a region configuration that cannot be used; says what is wrong, never echoes more than names. */
export class RegionConfigError extends Error {
  constructor(problem: string) {
    super(`region configuration ${problem}`);
    this.name = 'RegionConfigError';
  }
}

/** Parses and validates the parameter's JSON. */
export function parseRegionConfig(json: string): RegionConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new RegionConfigError('is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new RegionConfigError('must be a JSON object');
  const { home, epoch, regions } = raw as Record<string, unknown>;
  if (!Number.isSafeInteger(epoch) || (epoch as number) < 0) throw new RegionConfigError(`epoch must be a whole number ≥ 0, got ${JSON.stringify(epoch)}`);
  if (!Array.isArray(regions) || regions.length < 2) throw new RegionConfigError('regions must list at least two regions');
  const entries = regions.map((entry: unknown, i): RegionEntry => {
    if (typeof entry !== 'object' || entry === null) throw new RegionConfigError(`regions[${i}] must be an object`);
    const { name, apiUrl } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !REGION_NAME.test(name)) throw new RegionConfigError(`regions[${i}].name must be a region name like us-east-1, got ${JSON.stringify(name)}`);
    if (typeof apiUrl !== 'string' || !/^https?:\/\/[^/\s]+/.test(apiUrl)) throw new RegionConfigError(`regions[${i}].apiUrl must be an http(s) URL`);
    return { name, apiUrl: apiUrl.replace(/\/+$/, '') };
  });
  const names = entries.map((e) => e.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new RegionConfigError(`names ${duplicate} twice`);
  if (typeof home !== 'string' || !names.includes(home)) throw new RegionConfigError(`home must be one of ${names.join(', ')}, got ${JSON.stringify(home)}`);
  return { home, epoch: epoch as number, regions: entries };
}

/** The configuration with `region` as home and the epoch one higher: what a failover writes. */
export function moveHome(config: RegionConfig, region: string): RegionConfig {
  if (!config.regions.some((r) => r.name === region)) throw new RegionConfigError(`has no region ${region} (regions: ${config.regions.map((r) => r.name).join(', ')})`);
  return { ...config, home: region, epoch: config.epoch + 1 };
}

/** The entry of `region`, or an error naming the known ones. */
export function regionEntry(config: RegionConfig, region: string): RegionEntry {
  const entry = config.regions.find((r) => r.name === region);
  if (!entry) throw new RegionConfigError(`has no region ${region} (regions: ${config.regions.map((r) => r.name).join(', ')})`);
  return entry;
}

/** Of two readings, the one to keep: the higher epoch wins, so a stale copy never moves home back. */
export function newerRegionConfig(current: RegionConfig | undefined, read: RegionConfig): RegionConfig {
  return current && current.epoch > read.epoch ? current : read;
}
