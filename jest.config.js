/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // swc strips types only; `npm run typecheck` (tsc --noEmit) checks them.
    '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'json'],
  testTimeout: 60_000,
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.js'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
