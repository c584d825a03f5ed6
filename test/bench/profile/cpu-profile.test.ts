import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { categoryOf, readCpuProfile, summarizeProfile } from '../../../bench/profile/cpu-profile';

describe('CPU profile summary', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cpu-profile-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a minified bundle profiled by node --cpu-prof is charged to its original functions, files and libraries', () => {
    // A small program laid out like the API: our code under api/src, a library under node_modules.
    mkdirSync(join(dir, 'api/src/feed'), { recursive: true });
    mkdirSync(join(dir, 'node_modules/slowlib'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/slowlib/index.js'), 'exports.churnInLibrary = function churnInLibrary(n) { let s = ""; for (let i = 0; i < n; i++) s = String(i * 7).slice(1) + s.slice(0, 8); return s; };\n');
    writeFileSync(
      join(dir, 'api/src/feed/hot.ts'),
      `import { churnInLibrary } from 'slowlib';
export function sumSquaresInOurCode(n: number): number { let total = 0; for (let i = 0; i < n; i++) total += Math.sqrt(i * i + 1); return total; }
const until = Date.now() + 600;
let sink = 0;
while (Date.now() < until) { sink += sumSquaresInOurCode(200_000); sink += churnInLibrary(20_000).length; }
if (sink === -1) console.log(sink);
`,
    );
    const bundle = join(dir, 'out/server.js');
    buildSync({ entryPoints: [join(dir, 'api/src/feed/hot.ts')], outfile: bundle, bundle: true, platform: 'node', minify: true, sourcemap: true, absWorkingDir: dir, nodePaths: [join(dir, 'node_modules')] });
    const startedUs = Number(process.hrtime.bigint() / 1000n);
    const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profiles')}`, bundle], { encoding: 'utf8' });
    const endedUs = Number(process.hrtime.bigint() / 1000n);
    expect(run.status).toBe(0);
    const [file] = readdirSync(join(dir, 'profiles'));
    const profile = readCpuProfile(join(dir, 'profiles', file));
    const summary = summarizeProfile(profile);

    // The samples carry this process's monotonic clock: a window around the child's run keeps them all, one before it none.
    expect(summarizeProfile(profile, { window: { fromUs: startedUs, toUs: endedUs } }).busyMs).toBeCloseTo(summary.busyMs, 3);
    expect(summarizeProfile(profile, { window: { fromUs: startedUs - 10_000_000, toUs: startedUs } }).busyMs).toBe(0);

    expect(summary.busyMs).toBeGreaterThan(300);
    const ours = summary.functions.find((f) => f.name === 'sumSquaresInOurCode');
    expect(ours).toMatchObject({ category: 'api/src/feed', where: expect.stringMatching(/(^|\/)api\/src\/feed\/hot\.ts:2$/) });
    expect(summary.categories.map((c) => c.name)).toEqual(expect.arrayContaining(['api/src/feed', 'slowlib']));
    const shares = summary.categories.reduce((sum, c) => sum + c.share, 0);
    expect(shares).toBeCloseTo(1, 5);
  });

  test.each([
    ['node_modules/fastify/lib/route.js', 'fastify'],
    ['node_modules/@fastify/cookie/plugin.js', '@fastify/cookie'],
    ['api/src/cache/near-cache.ts', 'api/src/cache'],
    ['api/src/app.ts', 'api/src/app'],
    ['contracts/shard-map.ts', 'contracts/shard-map'],
    ['node:internal/streams/writable', 'node:streams'],
    ['node:http', 'node:http'],
  ])('%s is in category %s', (source, category) => {
    expect(categoryOf(source)).toBe(category);
  });
});
