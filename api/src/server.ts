import { loadEnvConfig } from './config/env-config';
import { resolveConfig } from './config/resolve-config';
import { closeOnSignals, exitOnStartFailure } from './lifecycle';
import { startListening } from './start';

/**
 * Production entry (bundled by build/api-bundle.ts, run by systemd on the
 * instances): validate configuration, resolve secrets, migrate, listen, drain
 * on SIGTERM. Configuration errors name the variable and exit with status 2.
 */
async function main(): Promise<void> {
  const config = await resolveConfig(loadEnvConfig());
  const app = await startListening(config);
  closeOnSignals(app);
}

main().catch((error: unknown) => exitOnStartFailure('graminsta api', error));
