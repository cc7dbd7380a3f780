/** @type {import('jest').Config} */
module.exports = {
  displayName: 'telemetry',
  preset: '../../jest.preset.js',
};
