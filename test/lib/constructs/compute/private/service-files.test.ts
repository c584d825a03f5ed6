import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApiBundle } from '../../../../../build/api-bundle';
import {
  apiServiceUnit,
  mountDataVolumeScript,
  setupPostgresScript,
  stopPostgresScript,
  waitForHealthScript,
  waitForWorkerScript,
  workerServiceUnit,
} from '../../../../../lib/constructs/compute/private/service-files';

/** `bash -n`: the script parses. */
function parses(script: string): { status: number | null; stderr: string } {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('files cfn-init writes on API instances', () => {
  test.each([
    ['mount the data volume', mountDataVolumeScript('vol-0123456789abcdef0')],
    ['set up PostgreSQL', setupPostgresScript()],
    ['stop PostgreSQL', stopPostgresScript()],
    ['wait for /healthz', waitForHealthScript(80)],
    ['check the queue worker runs', waitForWorkerScript()],
  ])('the script to %s is valid bash that stops on the first error', (_name, script) => {
    expect(parses(script)).toEqual({ status: 0, stderr: '' });
    expect(script.split('\n')[1]).toBe('set -euo pipefail');
  });

  // What the mount script and the units do (find the volume, format only a blank one, mount it at
  // boot before PostgreSQL and the API) is proven by running them: test/boot/boot.test.ts.

  test('the API unit runs unprivileged, binds port 80 through a capability, restarts on failure and reads the env file', () => {
    const unit = apiServiceUnit();
    expect(unit).toMatch(/^User=graminsta$/m);
    expect(unit).toMatch(/^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/graminsta\/api\.env$/m);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node-22 /m);
  });

  test('the worker unit runs worker.js of the same bundle, as the same user, with the API env file, restarting always', () => {
    const unit = workerServiceUnit(20);
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node-22 --enable-source-maps \/opt\/graminsta\/api\/worker\.js$/m);
    expect(unit).toMatch(/^User=graminsta$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/graminsta\/api\.env$/m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).not.toMatch(/CAP_NET_BIND_SERVICE/);
  });

  test('systemd gives the worker longer than one job to stop before it kills it', () => {
    expect(workerServiceUnit(20)).toMatch(/^TimeoutStopSec=30$/m);
    expect(workerServiceUnit(300)).toMatch(/^TimeoutStopSec=310$/m);
  });

  test('the API and worker units start files the API bundle really contains (server.js, worker.js)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'graminsta-bundle-'));
    try {
      buildApiBundle(dir);
      for (const unit of [apiServiceUnit(), workerServiceUnit(20)]) {
        const file = /^ExecStart=\S+ --enable-source-maps \/opt\/graminsta\/api\/(\S+)$/m.exec(unit)![1];
        expect({ file, inBundle: existsSync(join(dir, file)) }).toEqual({ file, inBundle: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
