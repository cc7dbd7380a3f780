/** @type {import('jest').Config} */
module.exports = {
  displayName: 'serialization',
  preset: '../../jest.preset.js',
};
