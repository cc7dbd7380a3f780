/** @type {import('jest').Config} */
module.exports = {
  displayName: 'activities',
  preset: '../../jest.preset.js',
};
