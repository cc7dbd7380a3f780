/** @type {import('jest').Config} */
module.exports = {
  displayName: 'worker',
  preset: '../../jest.preset.js',
  // integration tests run flock-worker processes against one Temporal dev server
  globalSetup: '<rootDir>/../../tools/src/jest/temporal-global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/src/jest/temporal-global-teardown.ts',
};
