/** @type {import('jest').Config} */
module.exports = {
  displayName: 'tools',
  preset: '../jest.preset.js',
  // One real Temporal dev server for the run (reused when
  // FLOCK_TEST_TEMPORAL_ADDRESS is already set, as .ci/run does).
  globalSetup: '<rootDir>/src/jest/temporal-global-setup.ts',
  globalTeardown: '<rootDir>/src/jest/temporal-global-teardown.ts',
  // Integration tests bundle workflow code and talk to real servers.
  testTimeout: 120_000,
  // *.production.spec.ts run on temporal-server + PostgreSQL: the integration-prod target (jest.production.config.js)
  testPathIgnorePatterns: ['/node_modules/', '\\.production\\.spec\\.ts$'],
};
