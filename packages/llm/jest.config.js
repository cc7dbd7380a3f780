/** @type {import('jest').Config} */
module.exports = {
  displayName: 'llm',
  preset: '../../jest.preset.js',
  // integration/ runs a model-backed agent as a Temporal activity on a real dev server
  globalSetup: '<rootDir>/../../tools/src/jest/temporal-global-setup.ts',
  globalTeardown: '<rootDir>/../../tools/src/jest/temporal-global-teardown.ts',
};
