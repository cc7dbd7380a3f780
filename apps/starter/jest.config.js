/** @type {import('jest').Config} */
module.exports = {
  displayName: 'starter',
  preset: '../../jest.preset.js',
};
