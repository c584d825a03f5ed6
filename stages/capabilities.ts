import type { StageSpec } from './stage-spec';

/**
 * The capabilities a stage provides, as comparable strings. A stage going up
 * the ladder must keep every capability of the one below unless its
 * `replaces` names it (with the capability that takes its place).
 */
export function capabilities(spec: StageSpec): Set<string> {
  const caps = new Set<string>([`compute:${spec.compute.kind}`, `database:${spec.database.kind}`, 'monitoring']);
  if (spec.compute.kind === 'fleet') caps.add('compute:autoscaling');
  if (spec.network.natGateways > 0) caps.add('network:nat');
  if (spec.database.kind === 'rds') {
    caps.add('database:backups');
    if (spec.database.multiAz) caps.add('database:multi-az');
    if (spec.database.readReplicas > 0) caps.add('database:read-replicas');
    if (spec.database.primaries > 1) caps.add('database:several-primaries');
    caps.add('database:credential-rotation');
    caps.add('database:enhanced-monitoring');
  }
  caps.add('edge:https');
  if (spec.edge.firewall) caps.add('edge:firewall');
  if (spec.site) caps.add('site:bucket');
  if (spec.uploads) {
    caps.add('uploads:bucket');
    if (spec.uploads.viaCdn) caps.add('uploads:cdn');
    if (spec.uploads.presignedBrowserUploads) caps.add('uploads:presigned');
    if (spec.uploads.thumbnails) caps.add('uploads:thumbnails');
  }
  if (spec.cache) caps.add('cache:redis');
  if (spec.sharding) caps.add('sharding');
  if (spec.queue) caps.add('queue');
  if (spec.regions) {
    caps.add('regions:second');
    caps.add('regions:cross-region-replicas');
    caps.add('regions:latency-dns');
    caps.add('uploads:replication');
  }
  return caps;
}

/** Capabilities of `previous` that `next` lost without naming them in `next.replaces`. */
export function lostCapabilities(previous: StageSpec, next: StageSpec): string[] {
  const kept = capabilities(next);
  const replaced = next.replaces ?? {};
  return [...capabilities(previous)].filter((cap) => !kept.has(cap) && !(cap in replaced && kept.has(replaced[cap])));
}
