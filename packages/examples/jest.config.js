/** @type {import('jest').Config} */
module.exports = {
  displayName: 'examples',
  preset: '../../jest.preset.js',
};
