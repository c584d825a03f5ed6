import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parseRegionConfig, type RegionConfig } from '../../contracts/region-config';

/**
 * Each region's copy of the region configuration (contracts/region-config.ts)
 * and the failover's run state, in that region's SSM Parameter Store: the
 * tool reads and writes every region's own copy, as each region's API reads
 * only its own. The SSM endpoint comes from the environment as for any AWS
 * SDK client (AWS_ENDPOINT_URL_SSM: the tests' stand-in).
 */
export interface RegionConfigStore {
  /** The region's copy; throws when the region does not answer or holds no (valid) copy. */
  read(region: string): Promise<RegionConfig>;
  write(region: string, config: RegionConfig): Promise<void>;
  /** The failover run state kept in `region` (the target), or undefined when there is none. */
  readRunState(region: string): Promise<string | undefined>;
  writeRunState(region: string, json: string): Promise<void>;
  close(): void;
}

/** The run state's parameter: next to the configuration, in the target region. */
export function runStateParameter(configParameter: string): string {
  return `${configParameter}-failover-run`;
}

export function ssmRegionConfigStore(parameter: string): RegionConfigStore {
  const clients = new Map<string, SSMClient>();
  const client = (region: string) => {
    let existing = clients.get(region);
    if (!existing) {
      // A dead region must not hold the tool for the SDK's default retries and timeouts.
      existing = new SSMClient({ region, maxAttempts: 2, requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 } });
      clients.set(region, existing);
    }
    return existing;
  };
  const get = async (region: string, name: string): Promise<string | undefined> => {
    try {
      const out = await client(region).send(new GetParameterCommand({ Name: name }));
      return out.Parameter?.Value;
    } catch (error) {
      if ((error as { name?: string }).name === 'ParameterNotFound') return undefined;
      throw error;
    }
  };
  const put = async (region: string, name: string, value: string) => {
    await client(region).send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
  };
  return {
    read: async (region) => {
      const value = await get(region, parameter);
      if (value === undefined) throw new Error(`no parameter ${parameter} in ${region}`);
      return parseRegionConfig(value);
    },
    write: (region, config) => put(region, parameter, JSON.stringify(config)),
    readRunState: (region) => get(region, runStateParameter(parameter)),
    writeRunState: (region, json) => put(region, runStateParameter(parameter), json),
    close: () => clients.forEach((c) => c.destroy()),
  };
}

/** The first line of an SDK or network error, without request details. */
export function reason(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string };
  const text = e.code ?? (e.name && e.name !== 'Error' ? `${e.name}${e.message ? `: ${e.message}` : ''}` : e.message) ?? String(error);
  return text.split('\n')[0];
}
