/**
 * The few RDS API calls the failover makes, per region by name (the tool
 * addresses each region itself, as region-config-store.ts does for SSM). The
 * endpoint comes from the environment as for any AWS SDK client
 * (AWS_ENDPOINT_URL_RDS: the tests' stand-in, test/support/rds-api-stand-in.ts).
 * The SDK is loaded on first use: a map of URLs never loads it.
 */

/** What the failover reads of a DB instance. */
export interface RdsInstance {
  readonly id: string;
  /** `DBInstanceStatus`: `available`, `modifying`, `rebooting`, `backing-up` … */
  readonly status: string;
  readonly address?: string;
  readonly port?: number;
  /** The source it replicates (`ReadReplicaSourceDBInstanceIdentifier`, an ARN for a cross-region replica); undefined once promoted. */
  readonly replicaOf?: string;
}

export interface RdsApi {
  /** Every DB instance of the region (DescribeDBInstances, every page). */
  list(region: string): Promise<RdsInstance[]>;
  describe(region: string, id: string): Promise<RdsInstance>;
  /**
   * PromoteReadReplica. `refused` when RDS answers InvalidDBInstanceState
   * (a promotion or another change is under way: wait and look again).
   */
  promote(region: string, id: string, backupRetentionDays: number): Promise<'accepted' | 'refused'>;
  close(): void;
}

type RdsModule = typeof import('@aws-sdk/client-rds');

function instanceOf(raw: import('@aws-sdk/client-rds').DBInstance): RdsInstance {
  return {
    id: raw.DBInstanceIdentifier ?? '',
    status: raw.DBInstanceStatus ?? 'unknown',
    address: raw.Endpoint?.Address,
    port: raw.Endpoint?.Port,
    replicaOf: raw.ReadReplicaSourceDBInstanceIdentifier || undefined,
  };
}

export function awsRdsApi(): RdsApi {
  let sdk: Promise<RdsModule> | undefined;
  const clients = new Map<string, import('@aws-sdk/client-rds').RDSClient>();
  const client = async (region: string) => {
    const { RDSClient } = await (sdk ??= import('@aws-sdk/client-rds'));
    let existing = clients.get(region);
    if (!existing) {
      // A dead region must not hold the tool for the SDK's default retries and timeouts.
      existing = new RDSClient({ region, maxAttempts: 3, requestHandler: { connectionTimeout: 3_000, requestTimeout: 20_000 } });
      clients.set(region, existing);
    }
    return existing;
  };
  return {
    async list(region) {
      const { DescribeDBInstancesCommand } = await (sdk ??= import('@aws-sdk/client-rds'));
      const found: RdsInstance[] = [];
      let marker: string | undefined;
      do {
        const page = await (await client(region)).send(new DescribeDBInstancesCommand({ MaxRecords: 100, Marker: marker }));
        found.push(...(page.DBInstances ?? []).map(instanceOf));
        marker = page.Marker;
      } while (marker);
      return found;
    },
    async describe(region, id) {
      const { DescribeDBInstancesCommand } = await (sdk ??= import('@aws-sdk/client-rds'));
      const out = await (await client(region)).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
      const raw = out.DBInstances?.[0];
      if (!raw) throw new Error(`RDS describes no DB instance ${id} in ${region}`);
      return instanceOf(raw);
    },
    async promote(region, id, backupRetentionDays) {
      const { PromoteReadReplicaCommand, InvalidDBInstanceStateFault } = await (sdk ??= import('@aws-sdk/client-rds'));
      try {
        await (await client(region)).send(new PromoteReadReplicaCommand({ DBInstanceIdentifier: id, BackupRetentionPeriod: backupRetentionDays }));
        return 'accepted';
      } catch (error) {
        if (error instanceof InvalidDBInstanceStateFault) return 'refused';
        throw error;
      }
    },
    close: () => clients.forEach((c) => c.destroy()),
  };
}

/**
 * The instance whose endpoint is `host:port`, found in the region's
 * DescribeDBInstances rather than guessed from the host name's shape
 * (`<id>.<hash>.<region>.rds.amazonaws.com`): the map names the endpoint the
 * stacks got from RDS, and a lookup also proves, before anything changes, that
 * the caller may call the RDS API in that region.
 */
export function findByEndpoint(instances: readonly RdsInstance[], host: string, port: number): RdsInstance | undefined {
  return instances.find((instance) => instance.address?.toLowerCase() === host.toLowerCase() && (instance.port ?? 5432) === port);
}
