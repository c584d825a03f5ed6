/**
 * The shard map's database targets for a tool (tools/reshard, tools/failover),
 * read the way the API reads them (contracts/database-targets): from `--map
 * <file>` when given, which then replaces every primary variable of the
 * environment, else from the environment itself. Errors are CliErrors naming
 * the flag or the variable.
 */
import { readFileSync } from 'node:fs';
import { CliError } from '../../contracts/cli';
import { type DatabaseTarget, PRIMARY_VARIABLES, readDatabaseEnvironment, resolveDatabaseTargets, type SecretStore } from '../../contracts/database-targets';
import { ConfigError } from '../../contracts/env-readers';

/** `whose` ends the "no shard map" error: whose environment the variables are (`as for the API`). */
export async function loadShardMapTargets(
  mapFile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  store: SecretStore,
  whose: string,
): Promise<readonly DatabaseTarget[]> {
  let source = env;
  if (mapFile !== undefined) {
    let json: string;
    try {
      json = readFileSync(mapFile, 'utf8');
    } catch (error) {
      throw new CliError(`--map: cannot read ${mapFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    source = { ...env, SHARD_MAP: json, SHARD_MAP_PARAMETER: undefined, SHARD_DATABASE_URLS: undefined, DATABASE_URL: undefined, DATABASE_SECRET_ARN: undefined };
  }
  if (!PRIMARY_VARIABLES.some((name) => source[name]?.trim())) throw new CliError(`no shard map: pass --map <file> or set one of ${PRIMARY_VARIABLES.join(', ')} (${whose})`);
  try {
    return await resolveDatabaseTargets(readDatabaseEnvironment(source), store, source);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`${mapFile !== undefined ? `--map ${mapFile}: ` : ''}${error.message}`);
    throw error;
  }
}
