import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertLoopback, runLoad } from '../../../bench/load/run-load';
import { bundleBaselines } from '../../../bench/servers/bundle-baselines';
import { type RunningServer, spawnServer } from '../../../bench/servers/spawn-server';

describe('load driver against the bare node:http baseline', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-load-test-'));
    const bundles = bundleBaselines(dir);
    server = await spawnServer('http-baseline', bundles['http-baseline'], {}, join(dir, 'http.log'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('counts answered requests and varies the path per request', async () => {
    const seen = new Set<string>();
    let i = 0;
    const figures = await runLoad({ url: server.url, method: 'GET', connections: 2, durationSeconds: 1, next: () => {
      const path = `/api/users/${++i % 5}`;
      seen.add(path);
      return { path };
    } });
    expect(figures.requests).toBeGreaterThan(0);
    expect(figures.errors).toBe(0);
    expect(seen.size).toBe(5);
  });

  test('connection failures count as errors, not as answered requests', async () => {
    const missing = await runLoad({ url: 'http://127.0.0.1:1', method: 'GET', connections: 1, durationSeconds: 1, next: () => ({ path: '/' }) });
    expect(missing.requests).toBe(0);
    expect(missing.errors).toBeGreaterThan(0);
    expect(missing.errorKinds.socket).toBeGreaterThan(0);
  });

  test('refuses anything but loopback and unbounded runs', async () => {
    expect(() => assertLoopback('http://example.com/')).toThrow(/loopback only/);
    await expect(runLoad({ url: server.url, method: 'GET', connections: 1, durationSeconds: 600, next: () => ({ path: '/' }) })).rejects.toThrow(/duration/);
    await expect(runLoad({ url: server.url, method: 'GET', connections: 0, durationSeconds: 1, next: () => ({ path: '/' }) })).rejects.toThrow(/connections/);
  });
});
