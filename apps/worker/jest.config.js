/** @type {import('jest').Config} */
module.exports = {
  displayName: 'worker',
  preset: '../../jest.preset.js',
};
