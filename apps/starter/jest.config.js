/** @type {import('jest').Config} */
module.exports = {
  displayName: 'starter',
  preset: '../../jest.preset.js',
  // integration tests run flockctl and flock-worker processes against one Temporal dev server
  globalSetup: '<rootDir>/../../tools/src/jest/temporal-global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/src/jest/temporal-global-teardown.ts',
};
