/** @type {import('jest').Config} */
module.exports = {
  displayName: 'core',
  preset: '../../jest.preset.js',
};
