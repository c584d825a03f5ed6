import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ASSUMPTIONS } from '../../../tools/plan/assumptions';
import { loadPerCore } from '../../../tools/plan/bench-throughput';

describe('per-core throughput from the benchmark JSON', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'plan-test-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const defaults = DEFAULT_ASSUMPTIONS.defaultPerCore;

  test('no benchmark file: every figure is a stated default', () => {
    const source = loadPerCore(defaults, join(dir, 'absent.json'));
    expect(source.perCore).toEqual(defaults);
    expect(source.measured).toEqual([]);
    expect(source.description).toMatch(/defaults/);
  });

  test('measured figures replace defaults one by one; missing or invalid ones keep the default', () => {
    const file = join(dir, 'partial.json');
    writeFileSync(file, JSON.stringify({ generatedAt: '2026-11-25T23:00:00Z', machine: { cpuModel: 'X' }, perCore: { userCached: 7777, feed: -1, login: 33 } }));
    const source = loadPerCore(defaults, file);
    expect(source.perCore).toEqual({ ...defaults, userCached: 7777, login: 33 });
    expect(source.measured).toEqual(['userCached', 'login']);
  });

  test('without a log-in figure, the measured scrypt hashes per core stand in for it', () => {
    const file = join(dir, 'hashing.json');
    writeFileSync(file, JSON.stringify({ perCore: { feed: 900 }, hashing: { algorithm: 'scrypt', hashesPerSecondPerCore: 2.5 } }));
    const source = loadPerCore(defaults, file);
    expect(source.perCore.login).toBe(2.5);
    expect(source.measured).toEqual(['feed', 'login']);
  });

  test('a file that is not a benchmark report is an error, not a silent default', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{not json');
    expect(() => loadPerCore(defaults, bad)).toThrow(/not valid JSON/);
    const other = join(dir, 'other.json');
    writeFileSync(other, '{"hello": 1}');
    expect(() => loadPerCore(defaults, other)).toThrow(/no "perCore"/);
  });
});
