import { join } from 'node:path';
import { checkFile, checkTree, describe as describeViolation, KNOWN_EXCEPTIONS, sourceFiles, type Violation } from './layering';

const ROOT = join(__dirname, '..', '..');
const known = (v: Violation) => KNOWN_EXCEPTIONS.some((e) => e.file === v.file && e.target === v.target.replace(/\.(ts|js)$/, ''));

describe('package boundaries (docs/architecture.md)', () => {
  const violations = checkTree(ROOT);

  test('no file imports across a forbidden edge', () => {
    expect(violations.filter((v) => !known(v)).map(describeViolation)).toEqual([]);
  });

  test('every listed exception is still there (remove the ones that are gone)', () => {
    const gone = KNOWN_EXCEPTIONS.filter((e) => !violations.some((v) => v.file === e.file && v.target.replace(/\.(ts|js)$/, '') === e.target));
    expect(gone).toEqual([]);
  });

  test('every package is read (the walk finds their files)', () => {
    const files = sourceFiles(ROOT);
    for (const pkg of ['contracts', 'stages', 'api', 'web', 'lambda', 'build', 'lib', 'tools', 'test']) {
      expect(files.filter((file) => file.startsWith(`${pkg}/`)).length).toBeGreaterThan(0);
    }
  });

  describe('each rule fails on a planted import', () => {
    test.each([
      ['lambda/thumbnails/x.ts', "import { photoReady } from '../../api/src/queue/job-messages';", 'lambda -> api'],
      ['api/src/worker.ts', "import { parseCliArgs } from '../../tools/lib/cli-args';", 'api -> tools'],
      ['api/src/dev.ts', "const m = await import('../../scripts/x.mjs');", 'api -> scripts'],
      ['web/src/x.ts', "import type { StageSpec } from '../../stages/stage-spec';", 'web -> stages'],
      ['contracts/x.ts', "import { Type } from 'typebox';", 'contracts -> npm:typebox'],
      ['contracts/x.ts', "import { API_PORT } from '../lib/constructs/compute';", 'contracts -> lib'],
      ['stages/x.ts', "import { distance } from 'fastest-levenshtein';", 'stages -> npm:fastest-levenshtein'],
      ['stages/x.ts', "import { readFileSync } from 'node:fs';", 'stages -> node:fs'],
      ['build/x.ts', "import { buildApp } from '../api/src/app';", 'build -> api'],
      ['lib/x.ts', "import { spec } from '../tools/review/resource-spec';", 'lib -> tools'],
      ['lib/x.ts', "import { ids } from '../api/src/x';", 'lib -> api'],
      ['tools/x/y.ts', "import { synthStage } from '../../lib/synth';", 'tools -> lib/synth'],
      ['tools/x/y.ts', "const { x } = require('../../bench/report-schema');", 'tools -> bench'],
      ['tools/x/y.ts', "import { startApi } from '../../test/support/api-server';", 'tools -> test'],
      ['scripts/x.ts', "export { x } from '../test/support/x';", 'scripts -> test'],
    ])('%s: %s', (file, source, edge) => {
      expect(checkFile(file, source).map((v) => v.edge)).toEqual([expect.stringContaining(edge)]);
    });

    test.each([
      ['tools/x/y.ts', "import { synthStage } from '../../lib';"],
      ['tools/x/y.ts', "import { synthStage } from '../../lib/index';"],
      ['lib/x.ts', "import { buildApiBundle } from '../build/api-bundle';"],
      ['api/src/x.ts', "import { LOGICAL_SHARDS } from '../../contracts/ids';\nimport Fastify from 'fastify';"],
      ['contracts/cli.ts', "import { parseArgs } from 'node:util';"],
      ['bench/x.ts', "import { startPostgres } from '../test/support/postgres';"],
    ])('allowed: %s: %s', (file, source) => {
      expect(checkFile(file, source)).toEqual([]);
    });
  });
});
