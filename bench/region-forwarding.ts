import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startApi, type RunningApi } from '../test/support/api-server';
import { startTwoRegions, type TwoRegions } from '../test/support/two-regions';
import { median } from './report/summarize';

const USAGE = `usage: npx tsx bench/region-forwarding.ts [--delay-ms 40] [--writes 200] [--out bench/results/region-forwarding]
What a write sent to stage 10m's second region costs over the same write sent to home: two regions on
loopback (test/support/two-regions.ts: A's primaries, B's streaming replicas, a delay proxy of --delay-ms
each way between them, so one round trip costs 2 × delay), the API of each region as the production
bundle, B forwarding writes to A's apiUrl through the delay. The same user likes and unlikes one photo
(one primary, one small transaction), --writes times at each region, alternating. Writes <out>/latest.md.`;

const log = (line: string) => process.stderr.write(`[region-forwarding ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed(url: string, init: RequestInit): Promise<number> {
  const started = process.hrtime.bigint();
  const response = await fetch(url, init);
  await response.arrayBuffer();
  if (response.status >= 300) throw new Error(`${init.method} ${url}: ${response.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'delay-ms': { type: 'string', default: '40' }, writes: { type: 'string', default: '200' }, out: { type: 'string', default: 'bench/results/region-forwarding' }, help: { type: 'boolean' } } });
  if (values.help) return void process.stdout.write(`${USAGE}\n`);
  const delayMs = Number(values['delay-ms']);
  const writes = Number(values.writes);
  if (!Number.isInteger(delayMs) || delayMs < 0 || !Number.isInteger(writes) || writes < 10) throw new Error(USAGE);
  let h: TwoRegions | undefined;
  const apis: RunningApi[] = [];
  try {
    log(`two regions, ${delayMs} ms each way`);
    h = await startTwoRegions({ shards: 2, delayMs });
    // Each region's own servers are its shard map's primaries (B: its replicas, never written while A is home): env's SHARD_MAP.
    for (const region of [h.a, h.b]) {
      const env = { ...h.env(region.name), LOG_LEVEL: 'warn' };
      apis.push(await startApi({ databaseUrl: region.nodes[0].url, port: region.apiPort, env }));
    }
    const [a, b] = apis;
    const username = `bench_${Date.now() % 1e8}`;
    const password = 'correct horse battery';
    const json = (body: unknown) => ({ 'content-type': 'application/json', body: JSON.stringify(body) });
    const post = async (url: string, body: unknown, token?: string) => {
      const { body: payload, ...headers } = json(body);
      const response = await fetch(url, { method: 'POST', headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: payload });
      return response.json();
    };
    await post(`${a.url}/api/users`, { username, password });
    const { token } = await post(`${a.url}/api/sessions`, { username, password });
    const { photo } = await post(`${a.url}/api/photos`, { caption: 'bench', contentType: 'image/jpeg', size: 10 }, token);
    const auth = { authorization: `Bearer ${token}` };
    const like = (base: string, method: 'PUT' | 'DELETE') => timed(`${base}/api/photos/${photo.id}/like`, { method, headers: auth });
    // Warm-up: connections opened (client to each API, B's kept-alive connection to A).
    for (let i = 0; i < 5; i++) for (const base of [a.url, b.url]) for (const method of ['PUT', 'DELETE'] as const) await like(base, method);
    const home: number[] = [];
    const forwarded: number[] = [];
    for (let i = 0; i < writes; i++) {
      const method = i % 2 === 0 ? 'PUT' : 'DELETE';
      home.push(await like(a.url, method));
      forwarded.push(await like(b.url, method === 'PUT' ? 'DELETE' : 'PUT'));
    }
    const row = (name: string, ms: number[]) => `| ${name} | ${median(ms).toFixed(1)} | ${percentile(ms, 90).toFixed(1)} | ${percentile(ms, 99).toFixed(1)} |`;
    const added = median(forwarded) - median(home);
    const report = [
      `# A write in the second region (stage 10m), ${new Date().toISOString().slice(0, 10)}`,
      '',
      `Injected delay between the regions: ${delayMs} ms each way (one round trip: ${2 * delayMs} ms). ${writes} likes/unlikes at each region, alternating; kept-alive connections.`,
      '',
      '| sent to | median ms | p90 ms | p99 ms |',
      '|---|---|---|---|',
      row('home (A)', home),
      row('region B (forwarded to A)', forwarded),
      '',
      `Added by forwarding (medians): ${added.toFixed(1)} ms = ${(added / Math.max(1, 2 * delayMs)).toFixed(2)} round trips of ${2 * delayMs} ms.`,
      '',
    ].join('\n');
    process.stdout.write(report);
    const out = resolve(values.out!);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'latest.md'), report);
  } finally {
    for (const api of apis) await api.stop();
    await h?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
