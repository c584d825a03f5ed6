/**
 * What `tools/` may use of the CDK app: tools import `lib/` only through this
 * file (the package layering that test/architecture/boundaries.test.ts
 * enforces).
 */

// What the AWS resource specification says about a type: stateful, replacement-forcing properties.
export * from './resource-spec';

// The transition registry: runbooks and the destructive changes they cover, by construct path.
export * from './transitions';

// The app of one stage and its templates (the review, the diagrams, the template and compliance checks).
export { buildStageApp, type BuildStageAppProps, type StageApp } from './build-app';
export { synthStage, type SynthOptions, type Template } from './synth';
// The example regions, domain and zone the offline tools synthesize stage 10m with when given none.
export { EXAMPLE_REGION_OPTIONS, MAX_PRIMARIES } from './app-options';

// cdk-nag's acknowledged findings per stage (the compliance check).
export { acknowledgedRuleIds, acknowledgementsFor, findAcknowledged, type Acknowledgement } from './compliance';

// The image ID the instances resolve at launch (the template checks' registry schemas).
export { RESOLVED_AT_LAUNCH_IMAGE_ID } from './constructs/compute';
