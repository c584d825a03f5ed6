/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // swc strips types only; `npm run typecheck` (tsc --noEmit) checks them.
    '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // typebox 1.x ships ESM only; let swc turn it into CommonJS for Jest (the API's schemas use it).
  transformIgnorePatterns: ['/node_modules/(?!typebox/)'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'json'],
  testTimeout: 60_000,
  // Jest's default on 2 cores is one worker; most suites wait on PostgreSQL, Redis,
  // chromium or child processes, so two workers keep both cores busy.
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.js'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
