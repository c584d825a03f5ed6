import { createRequire } from 'node:module';
// Types only: the module itself is loaded from aws-cdk-lib's bundled copy below.
import type * as CloudFormationValidate from 'aws-cdk-lib/node_modules/@aws/cloudformation-validate';

export type { Diagnostic, ValidateConfig, ValidationReport } from 'aws-cdk-lib/node_modules/@aws/cloudformation-validate';
export type Engine = CloudFormationValidate.Engine;
type Module = typeof CloudFormationValidate;

let loaded: Module | undefined;
let engine: Engine | undefined;

/**
 * `@aws/cloudformation-validate`, the offline template validator aws-cdk-lib
 * runs at synth time (`@aws-cdk/core:validateAgainstDefaultRules`). aws-cdk-lib
 * bundles it, and the npm registry has no release of the bundled version
 * (1.14.0 with aws-cdk-lib 2.276.0; the newest published one is a 1.9 beta), so
 * it is loaded from aws-cdk-lib's own copy: this check always runs the very
 * engine, rules and schemas that `cdk synth` runs, whatever aws-cdk-lib version
 * is installed.
 */
export function cloudFormationValidate(): Module {
  loaded ??= createRequire(require.resolve('aws-cdk-lib/package.json'))('@aws/cloudformation-validate') as Module;
  return loaded;
}

/** One engine per process: building it compiles every rule and schema (about a second). */
export function validationEngine(): Engine {
  engine ??= new (cloudFormationValidate().CompositeEngine)();
  return engine;
}
