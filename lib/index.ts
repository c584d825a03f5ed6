/**
 * What `tools/` may use of the CDK app: tools import `lib/` only through this
 * file (the package layering that test/architecture/boundaries.test.ts
 * enforces).
 */

// What the AWS resource specification says about a type: stateful, replacement-forcing properties.
export * from './resource-spec';
