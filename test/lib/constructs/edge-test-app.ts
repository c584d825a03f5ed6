import { App } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const outdirs: string[] = [];
// Registered when a test file imports this helper: every cloud assembly (with
// its bundled assets) it synthesized is removed after the file's tests.
afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * An App with cdk.json's feature flags, so a construct tested on its own
 * synthesizes as it does inside `cdk synth` (e.g. S3 access logs through a
 * bucket policy, not ACLs). Used by the site/media/cache/queue construct tests.
 */
export function flaggedApp(): App {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const outdir = mkdtempSync(join(tmpdir(), 'edge-cdk-'));
  outdirs.push(outdir);
  return new App({ outdir, context: cdkJson.context ?? {} });
}
