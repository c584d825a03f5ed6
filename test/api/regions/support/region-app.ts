import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../../api/src/app';
import { loadEnvConfig } from '../../../../api/src/config/env-config';
import { resolveConfig, type AppConfig } from '../../../../api/src/config/resolve-config';
import { migrateAll } from '../../../../api/src/db/open-database';
import type { RegionConfig } from '../../../../contracts/region-config';
import { TEST_API_ENV } from '../../../support/api-server';
import { jsonLogCapture } from '../../support/json-log-capture';

/** Where a test API reads its region configuration parameter from. */
export interface ParameterSource {
  read(): Promise<string>;
}

/** The SSM parameter holding the region configuration, as a test holds it: what every region reads. */
export class RegionParameter implements ParameterSource {
  /** GetParameter calls answered (each region's API re-reads it on its timer). */
  reads = 0;
  /** When set, every read fails (SSM unreachable). */
  failing = false;

  constructor(private value: string) {}

  set(config: RegionConfig | string): void {
    this.value = typeof config === 'string' ? config : JSON.stringify(config);
  }

  async read(): Promise<string> {
    this.reads++;
    if (this.failing) throw new Error('ssm unreachable (test)');
    return this.value;
  }
}

export const PARAMETER_NAME = '/graminsta/region-config';

export interface RegionApp {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly config: AppConfig;
  /** Log lines (LOG_LEVEL info, REQUEST_LOG all: a line per request), parsed. */
  readonly lines: Record<string, any>[];
  /** `request.ip` as this API logged it for the request with this id (its request line's `remoteAddress`). */
  ipOf(requestId: string): string | undefined;
  /** Requests this API answered (its request lines, written as each response finishes), by path. */
  received(path: string): number;
  close(): Promise<void>;
}

/**
 * One region's API in this process, configured from `env` like the fleet
 * (REGION_NAME plus REGION_CONFIG, or REGION_CONFIG_PARAMETER read from
 * `parameter`), migrated as server.ts does (which, outside home, migrates
 * nothing), listening on a free loopback port, its log captured.
 */
export async function startRegionApp(env: Record<string, string>, parameter?: ParameterSource, port = 0): Promise<RegionApp> {
  const source = {
    getSecretString: async () => {
      throw new Error('tests must not read AWS secrets');
    },
    getParameter: async (name: string) => {
      if (!parameter || (name !== PARAMETER_NAME && name !== env.REGION_CONFIG_PARAMETER)) throw new Error(`no parameter ${name}`);
      return parameter.read();
    },
  };
  const config = await resolveConfig(loadEnvConfig({ ...TEST_API_ENV, LOG_LEVEL: 'info', REQUEST_LOG: 'all', ...env }), source, {});
  await migrateAll(config);
  const { stream: log, lines } = jsonLogCapture();
  const app = await buildApp(config, { logStream: log });
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address();
  const listening = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `http://127.0.0.1:${listening}`,
    config,
    lines,
    ipOf: (requestId) => lines.find((line) => line.reqId === requestId && line.msg === 'request completed')?.remoteAddress,
    received: (path) => lines.filter((line) => line.msg === 'request completed' && String(line.url).split('?')[0] === path).length,
    close: () => app.close().then(() => undefined),
  };
}

/** The region configuration of two test regions. */
export function twoRegions(home: 'region-a' | 'region-b', urls: { a: string; b: string }, epoch = 1): RegionConfig {
  return {
    home,
    epoch,
    regions: [
      { name: 'region-a', apiUrl: urls.a },
      { name: 'region-b', apiUrl: urls.b },
    ],
  };
}

/** A URL nothing listens on (port 9, discard, is never served on loopback here). */
export const NOWHERE = 'http://127.0.0.1:9';
