import { Stack } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { initialShardMap } from '../../../contracts/shard-map';

/** One physical primary as the shard map lists it. */
export interface ShardPrimary {
  readonly secretArn: string;
  /**
   * `host:port` of the server to reach on the secret's credentials, when it
   * is not the one the secret names (10m's second region: its local replica).
   * @default the secret's own host
   */
  readonly host?: string;
  /** `host:port` of its replicas. */
  readonly replicaHosts: readonly string[];
}

export interface ShardMapProps {
  /** Fixed forever: every ID carries one of these. */
  readonly logicalShards: number;
  /** In order: the first is the primary that held every row before sharding (`primary-0`). */
  readonly primaries: readonly ShardPrimary[];
}

/**
 * The shard map the API and the worker read at start (`SHARD_MAP_PARAMETER`):
 * the primaries (stable names, secret ARNs, replica hosts) and their base
 * shard ranges, in the format of contracts/shard-map.ts (`initialShardMap`:
 * every shard on `primary-0`). It holds secret ARNs and host names, never
 * passwords.
 *
 * `version` is a fingerprint of the template value (with its references
 * unresolved): it changes exactly when a primary or a replica is added or
 * removed, or a primary's secret or host changes. The fleet writes it into
 * the instances' configuration, so such a change rolls the fleet and every
 * API process reads the new map.
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
