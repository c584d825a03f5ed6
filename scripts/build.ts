import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildApiBundle } from '../build/api-bundle';
import { buildWebClient } from '../build/web-client';
import { buildReshardBundle } from '../build/reshard-bundle';
import { parseCliArgs, runCli } from '../contracts/cli';

const USAGE = `usage: npm run build
Builds the API and worker bundle (dist/api/server.js, dist/api/worker.js and the instance tools, with source
maps), the web client (dist/web) and the resharding tool (dist/tools/reshard.js). Takes no options.
exit codes: 0 built, 1 a build failed, 2 bad arguments`;

// `npm run build`: the API bundle in dist/api, the web client in dist/web.
async function main(argv: readonly string[]): Promise<number> {
  if (!parseCliArgs(argv, {}, USAGE)) return 0;
  const dist = join(__dirname, '..', 'dist');
  rmSync(dist, { recursive: true, force: true });
  const started = Date.now();
  const api = buildApiBundle(join(dist, 'api'));
  console.log(`api bundle  ${api}`);
  buildWebClient(join(dist, 'web'));
  console.log(`web client  ${join(dist, 'web')}`);
  // Ops tools that run on a fleet instance (plain node, no tsx there).
  console.log(`reshard     ${buildReshardBundle(join(dist, 'tools'))}`);
  console.log(`built in ${Date.now() - started} ms`);
  return 0;
}

runCli('build', () => main(process.argv.slice(2)));
