import { classify } from '../../bench/synth-timing';

const frame = (functionName: string, url: string) => ({ functionName, url });
const MAIN = frame('', 'file:///work/main/bench/synth-all.ts');
const LOADER = frame('Module._compile', 'node:internal/modules/cjs/loader');

describe('synth profile buckets', () => {
  test('esbuild bundling wins over everything below the script', () => {
    expect(classify([frame('spawnSync', 'node:child_process'), frame('buildSync', '/x/node_modules/esbuild/lib/main.js'), frame('tryBundle', '/x/lib/site.ts'), MAIN, LOADER])).toBe('esbuild bundling');
  });

  test('the loader frames above the main script do not make everything "module loading"', () => {
    expect(classify([frame('Vpc', '/x/node_modules/aws-cdk-lib/aws-ec2/lib/vpc.js'), MAIN, LOADER])).toBe('construct tree');
    expect(classify([frame('require', 'node:internal/modules/helpers'), frame('Vpc', '/x/aws-cdk-lib/vpc.js'), MAIN, LOADER])).toBe('module loading');
    expect(classify([frame('x', '/x/node_modules/tsx/dist/a.cjs'), LOADER])).toBe('module loading');
  });

  test('synthesis is split into the built-in validation, cdk-nag and the rest', () => {
    const synth = frame('synth', '/x/node_modules/aws-cdk-lib/core/lib/stage.js');
    expect(classify([frame('call', '/x/node_modules/@aws/cloudformation-validate/index.js'), synth, MAIN])).toBe('synth: built-in CloudFormation validation (WASM)');
    expect(classify([frame('visit', '/x/node_modules/cdk-nag/lib/nag-pack.js'), synth, MAIN])).toBe('synth: aspects (cdk-nag, compliance)');
    expect(classify([frame('resolve', '/x/node_modules/aws-cdk-lib/core/lib/private/resolve.js'), synth, MAIN])).toBe('synth: templates, JSON, assets');
  });

  test('idle and GC samples are their own bucket', () => {
    expect(classify([frame('(garbage collector)', '')])).toBe('idle / GC');
  });
});
