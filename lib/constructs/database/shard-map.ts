import { Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** One physical primary as the shard map lists it. */
export interface ShardPrimary {
  readonly secretArn: string;
  /** `host:port` of its replicas. */
  readonly replicaHosts: readonly string[];
}

export interface ShardMapProps {
  /** Fixed forever: every ID carries one of these. */
  readonly logicalShards: number;
  readonly primaries: readonly ShardPrimary[];
}

/** Splits `[0, logicalShards)` into contiguous, near-equal inclusive ranges, one per primary. */
export function shardRanges(logicalShards: number, primaries: number): Array<[number, number]> {
  if (!Number.isInteger(logicalShards) || logicalShards < 1) throw new Error(`logicalShards must be a positive integer, got ${logicalShards}`);
  if (!Number.isInteger(primaries) || primaries < 1 || primaries > logicalShards) {
    throw new Error(`primaries must be an integer between 1 and ${logicalShards}, got ${primaries}`);
  }
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (let i = 0; i < primaries; i++) {
    const size = Math.floor(logicalShards / primaries) + (i < logicalShards % primaries ? 1 : 0);
    ranges.push([start, start + size - 1]);
    start += size;
  }
  return ranges;
}

/**
 * The shard map the API reads at start (`SHARD_MAP_PARAMETER`): which logical
 * shards live on which primary, starting from an even layout. CloudFormation
 * rewrites the parameter only when this template value changes (another primary
 * or replica), so a layout changed by the resharding tool survives ordinary
 * deploys. It holds secret ARNs and host names, never passwords.
 */
export class ShardMap extends Construct {
  public readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: ShardMapProps) {
    super(scope, id);
    const ranges = shardRanges(props.logicalShards, props.primaries.length);
    const map = {
      logicalShards: props.logicalShards,
      primaries: props.primaries.map((p, i) => ({ secretArn: p.secretArn, replicaHosts: [...p.replicaHosts], shards: ranges[i] })),
    };
    this.parameter = new ssm.StringParameter(this, 'Resource', {
      description: 'Graminsta shard map: logical shard ranges per PostgreSQL primary',
      stringValue: Stack.of(this).toJsonString(map),
      tier: ssm.ParameterTier.STANDARD,
    });
  }
}
