import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat, { type MetricFamily } from 'parse-prometheus-text-format';
import { buildApp } from '../../../api/src/app';
import { startPostgres, type TestPostgres } from '../../support/postgres';
import { startTestApp, testConfig, type TestApp } from '../../support/api-server';
import { call, expectError, newUser } from '../support/http';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Parses the exposition with a real Prometheus text parser and checks it read
 * every family the text declares (the parser skips what it cannot read
 * instead of throwing).
 */
function parse(text: string): MetricFamily[] {
  const families = parsePrometheusTextFormat(text);
  const declared = [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]);
  expect(families.map((family) => family.name)).toEqual(declared);
  return families;
}

function sample(families: MetricFamily[], name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  const found = family?.metrics.find((metric) => Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value));
  return found?.value === undefined ? undefined : Number(found.value);
}

/**
 * One route's latency histogram, read by the parser. The parser folds a
 * histogram's series into one unless they have no labels besides `le`, so
 * the route's lines are handed to it alone, without their route label.
 */
function histogram(text: string, name: string, route: string): { buckets: Record<string, string>; count: number } {
  const label = `route="${route}"`;
  const lines = text
    .split('\n')
    .filter((line) => line.startsWith(`# HELP ${name} `) || line.startsWith(`# TYPE ${name} `) || (line.startsWith(name) && line.includes(label)))
    .map((line) => line.replace(`,${label}`, '').replace(`{${label}}`, '').replace(`${label},`, ''));
  const [family] = parsePrometheusTextFormat(`${lines.join('\n')}\n`);
  const series = family.metrics[0];
  return { buckets: series.buckets ?? {}, count: Number(series.count) };
}

describe('GET /metrics', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  test('is off by default: 404 with the contract error shape, as for any unknown path', async () => {
    const api = await startTestApp({ DATABASE_URL: pg.url });
    try {
      const response = await call(api.url, 'GET', '/metrics');
      expectError(response, 404);
    } finally {
      await api.close();
    }
  });

  describe('with METRICS_ENDPOINT', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ DATABASE_URL: pg.url, METRICS_ENDPOINT: 'true' });
    });
    afterAll(async () => {
      await api?.close();
    });

    test('serves the Prometheus text format: route templates as labels, counts equal to the requests made, business counters', async () => {
      const user = await newUser(api.url, 'prom');
      for (let i = 0; i < 40; i++) expect((await call(api.url, 'GET', `/api/photos/${2_000_000 + i}`)).status).toBe(404);
      for (let i = 0; i < 12; i++) await call(api.url, 'GET', `/nowhere/${i}`);
      for (let i = 0; i < 5; i++) expect((await call(api.url, 'GET', '/api/feed', { token: user.token })).status).toBe(200);

      const response = await fetch(`${api.url}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      const families = parse(text);

      const requests = families.find((family) => family.name === 'graminsta_http_requests_total')!;
      expect(requests.type).toBe('COUNTER');
      const routes = new Set(requests.metrics.map((metric) => metric.labels!.route));
      // 40 photo IDs and 12 unknown paths: two labels, not 52.
      expect([...routes].sort()).toEqual(['GET /api/feed', 'GET /api/photos/:id', 'POST /api/sessions', 'POST /api/users', 'unmatched']);
      expect(sample(families, 'graminsta_http_requests_total', { route: 'GET /api/photos/:id', status_class: '4xx' })).toBe(40);
      expect(sample(families, 'graminsta_http_requests_total', { route: 'unmatched', status_class: '4xx' })).toBe(12);
      expect(sample(families, 'graminsta_http_requests_total', { route: 'GET /api/feed', status_class: '2xx' })).toBe(5);

      const latency = histogram(text, 'graminsta_http_request_duration_seconds', 'GET /api/photos/:id');
      expect(latency.count).toBe(40);
      expect(Number(latency.buckets['+Inf'])).toBe(40);

      expect(sample(families, 'graminsta_sign_ups_total')).toBe(1);
      expect(sample(families, 'graminsta_log_ins_total')).toBe(1);
      expect(sample(families, 'graminsta_uploads_total')).toBe(0);
      expect(sample(families, 'graminsta_active_users')).toBe(1);
    });

    test('answers only loopback peers: another address gets the 404 of a path that does not exist, whatever X-Forwarded-For says', async () => {
      const external = Object.values(networkInterfaces()).flat().find((address) => address && !address.internal && address.family === 'IPv4');
      const config = await testConfig({ DATABASE_URL: pg.url, METRICS_ENDPOINT: 'true', TRUST_PROXY: '1' });
      const app = await buildApp(config, { logger: false });
      try {
        if (external) {
          // A real connection from a non-loopback address of this machine.
          await app.listen({ port: 0, host: external.address });
          const address = app.server.address();
          const url = `http://${external.address}:${typeof address === 'object' && address ? address.port : 0}`;
          expectError(await call(url, 'GET', '/metrics', { headers: { 'x-forwarded-for': '127.0.0.1' } }), 404);
          expect((await call(url, 'GET', '/healthz')).status).toBe(200);
        } else {
          console.warn('no non-loopback IPv4 address on this machine: the non-loopback peer is simulated with inject');
          const response = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '192.0.2.10', headers: { 'x-forwarded-for': '127.0.0.1' } });
          expect(response.statusCode).toBe(404);
        }
      } finally {
        await app.close();
      }
    });
  });

  test('npm run dev serves it (on by default locally)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'graminsta-dev-metrics-'));
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', DATABASE_URL: pg.url, PASSWORD_HASH_COST: 'test' };
    for (const key of ['METRICS_ENDPOINT', 'REDIS_URL', 'SHARD_MAP', 'SHARD_DATABASE_URLS', 'QUEUE', 'WEB_ROOT']) delete env[key];
    const child = spawn('npm', ['run', '-s', 'dev'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 60_000;
      let base: string | undefined;
      while (!(base = /Graminsta API: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1])) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm run dev did not start: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await call(base, 'GET', '/healthz');
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(sample(parse(await response.text()), 'graminsta_http_requests_total', { route: 'GET /healthz', status_class: '2xx' })).toBe(1);
    } finally {
      // Ctrl-C, as a terminal sends it: to the whole process group.
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
