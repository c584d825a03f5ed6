import { createServer, type Server } from 'node:http';
import pino from 'pino';
import type { AppConfig } from '../config/resolve-config';
import { uncopiedStageOneData } from './uncopied-stage-one-data';

/** How often a refusing API looks again (the copy may have been run meanwhile). */
const RECHECK_MS = 10_000;

function refusingServer(reason: () => string): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    // Alive (so systemd and the instance's health wait see a running process, and the log says why), never ready.
    const [status, body] =
      path === '/healthz'
        ? [200, { status: 'ok' }]
        : path === '/readyz'
          ? [503, { status: 'refusing', failing: ['database'], reason: reason() }]
          : [503, { error: { code: 'not_ready', message: 'this server is waiting for its database to be copied; see /readyz' } }];
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '60' });
    response.end(JSON.stringify(body));
  });
}

/**
 * Before the API migrates or serves anything: while the stage-1 database on
 * this instance holds rows no verified copy into the primary accounts for
 * (the App stack of stage 10 was deployed before db-copy ran), it listens on
 * its port answering /healthz, 503 `refusing` on /readyz with the reason and
 * 503 `not_ready` on everything else, logs the reason, and looks again every
 * 10 s; it returns once the copy is there. Never migrates the empty database
 * meanwhile, so nothing is written to it.
 */
export async function refuseUntilStageOneCopied(config: AppConfig, recheckMs = RECHECK_MS): Promise<void> {
  const primary = config.primaries[0].primary;
  const check = () => uncopiedStageOneData(config.dataDir, primary);
  let reason = await check();
  if (reason === undefined) return;
  const log = pino({ level: config.logLevel === 'silent' ? 'silent' : 'error' });
  log.error({ reason }, `refusing to serve: ${reason}`);
  const server = refusingServer(() => reason ?? 'checking again');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  try {
    while (reason !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, recheckMs));
      reason = await check().catch((error: unknown) => `cannot check the copy: ${(error as Error).message}`);
    }
    log.error('the stage-1 database has been copied: starting');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
