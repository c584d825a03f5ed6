import { ConfigError, loadEnvConfig } from './config/env-config';
import { resolveConfig } from './config/resolve-config';
import { closeOnSignals, startListening } from './start';

/**
 * Production entry (bundled by api/build.ts, run by systemd on the
 * instances): validate configuration, resolve secrets, migrate, listen, drain
 * on SIGTERM. Configuration errors name the variable and exit with status 2.
 */
async function main(): Promise<void> {
  const config = await resolveConfig(loadEnvConfig());
  const app = await startListening(config);
  closeOnSignals(app);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`graminsta api failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
