/**
 * `nx run @flock-ts/tools:integration-prod`: npm run temporal:prod and the
 * production-style server itself (build, PostgreSQL, shards, search
 * attributes, the memo under the server's warning limit).
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.config.js'),
  displayName: 'tools (production topology)',
  testMatch: ['<rootDir>/integration/*.production.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
