import { App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An App with cdk.json's feature flags, so a construct tested on its own
 * synthesizes as it does inside `cdk synth` (e.g. S3 access logs through a
 * bucket policy, not ACLs). Used by the site/media/cache/queue construct tests.
 */
export function flaggedApp(): App {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return new App({ context: cdkJson.context ?? {} });
}
