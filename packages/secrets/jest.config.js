/** @type {import('jest').Config} */
module.exports = {
  displayName: 'secrets',
  preset: '../../jest.preset.js',
};
