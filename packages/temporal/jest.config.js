/** @type {import('jest').Config} */
module.exports = {
  displayName: 'temporal',
  preset: '../../jest.preset.js',
  globalSetup: '<rootDir>/../../tools/src/jest/temporal-global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/src/jest/temporal-global-teardown.ts',
};
