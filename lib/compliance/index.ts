import type { App } from 'aws-cdk-lib';
import type { StageSpec } from '../../stages/ladder';

/**
 * Adds the compliance checks (cdk-nag AwsSolutions, with the project's
 * acknowledgements) to a stage's app. Filled in by the stage-safety work.
 */
export function applyCompliance(_app: App, _spec: StageSpec): void {
  // Intentionally empty until the compliance checks land.
}
