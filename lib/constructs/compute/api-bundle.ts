import type { Construct } from 'constructs';
import { buildApiBundle } from '../../../build/api-bundle';
import { LocalBuildAsset } from './private/local-build-asset';

export interface ApiBundleProps {
  /** An already built bundle directory (holding `server.js`). @default builds `api/` with esbuild */
  readonly prebuiltDir?: string;
}

/** The API as one esbuild bundle (`server.js` + source map), shipped as a zip asset. */
export class ApiBundle extends LocalBuildAsset {
  constructor(scope: Construct, id: string, props: ApiBundleProps = {}) {
    super(scope, id, {
      buildName: 'api',
      build: (outDir) => {
        buildApiBundle(outDir);
      },
      prebuiltDir: props.prebuiltDir,
    });
  }
}
