import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildApiBundle } from '../api/build';
import { buildWebClient } from '../web/build';
import { buildReshardBundle } from '../tools/reshard/bundle';

// `npm run build`: the API bundle in dist/api, the web client in dist/web.
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
