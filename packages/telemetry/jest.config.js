const preset = require('../../jest.preset.js');

/** @type {import('jest').Config} */
module.exports = {
  displayName: 'telemetry',
  preset: '../../jest.preset.js',
  testEnvironmentOptions: {
    ...preset.testEnvironmentOptions,
    // OpenTelemetry keeps its registry on globalThis; Jest's soft cleanup of it only prints warnings
    globalsCleanup: 'off',
  },
};
