/** @type {import('jest').Config} */
module.exports = {
  displayName: 'llm',
  preset: '../../jest.preset.js',
};
