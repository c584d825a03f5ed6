import type { Construct } from 'constructs';
import { buildWebClient } from '../../../build/web-client';
import { LocalBuildAsset } from './private/local-build-asset';

/**
 * The built web client as a zip asset, for the instance that serves it itself
 * (stages 1 and 10; from 100 the site bucket serves it, `WebClientDeployment`).
 */
export class WebClientBundle extends LocalBuildAsset {
  constructor(scope: Construct, id: string) {
    super(scope, id, { buildName: 'web', build: buildWebClient });
  }
}
