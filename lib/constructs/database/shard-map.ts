import { Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';

/** One physical primary as the shard map lists it. */
export interface ShardPrimary {
  readonly secretArn: string;
  /** `host:port` of its replicas. */
  readonly replicaHosts: readonly string[];
}

export interface ShardMapProps {
  /** Fixed forever: every ID carries one of these. */
  readonly logicalShards: number;
  /** In order: the first is the primary that held every row before sharding (`primary-0`). */
  readonly primaries: readonly ShardPrimary[];
}

/** Inclusive ranges of logical shards, e.g. `[[0, 1023], [2000, 2000]]`; `[]` owns nothing. */
export type ShardRanges = ReadonlyArray<readonly [number, number]>;

/** A primary's entry in the map as the API parses it (api/src/config/shard-map.ts). */
export interface ShardMapEntry<T = string> {
  readonly name: string;
  readonly secretArn: T;
  readonly replicaHosts: readonly T[];
  readonly shards: ShardRanges;
}

/** The stable name of the primary at `index`: `primary-0`, `primary-1`, ... (what `npm run reshard` takes). */
export function primaryName(index: number): string {
  return `primary-${index}`;
}

/**
 * The map as CloudFormation writes it: every logical shard on the first
 * primary, the others empty. Before 1m one database held every row, so on the
 * day the primaries appear all rows are still on `primary-0`; the 100k → 1m
 * runbook then moves ranges with `npm run reshard`, which records each move in
 * the databases (`shard_moves`), never in this parameter. The template value
 * therefore never has to change for a move, and a later deploy cannot undo
 * one. A primary added later (docs/runbooks/add-a-primary.md) joins with `[]`.
 */
export function initialShardMap<T>(logicalShards: number, primaries: ReadonlyArray<{ secretArn: T; replicaHosts: readonly T[] }>): {
  logicalShards: number;
  primaries: Array<ShardMapEntry<T>>;
} {
  if (!Number.isInteger(logicalShards) || logicalShards < 1) throw new Error(`logicalShards must be a positive integer, got ${logicalShards}`);
  if (primaries.length < 1) throw new Error('the shard map needs at least one primary');
  return {
    logicalShards,
    primaries: primaries.map((p, i) => ({
      name: primaryName(i),
      secretArn: p.secretArn,
      replicaHosts: [...p.replicaHosts],
      shards: i === 0 ? [[0, logicalShards - 1] as const] : [],
    })),
  };
}

/**
 * The shard map the API and the worker read at start (`SHARD_MAP_PARAMETER`):
 * the primaries (stable names, secret ARNs, replica hosts) and their base
 * shard ranges. It holds secret ARNs and host names, never passwords.
 *
 * `version` is a fingerprint of the template value (with its references
 * unresolved): it changes exactly when a primary or a replica is added or
 * removed. The fleet writes it into the instances' configuration, so such a
 * change rolls the fleet and every API process reads the new map.
 */
export class ShardMap extends Construct {
  public readonly parameter: ssm.StringParameter;
  public readonly version: string;

  constructor(scope: Construct, id: string, props: ShardMapProps) {
    super(scope, id);
    const map = initialShardMap(props.logicalShards, props.primaries);
    const stack = Stack.of(this);
    this.version = createHash('sha256').update(JSON.stringify(stack.resolve(map))).digest('hex').slice(0, 12);
    this.parameter = new ssm.StringParameter(this, 'Resource', {
      description: 'Graminsta shard map: logical shard ranges per PostgreSQL primary',
      stringValue: stack.toJsonString(map),
      tier: ssm.ParameterTier.STANDARD,
    });
  }
}
