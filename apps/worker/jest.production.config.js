/**
 * `nx run @flock-ts/worker:integration-prod`: the reliability specs on
 * temporal-server with PostgreSQL and several history shards (the server is
 * started by tools/scripts/with-temporal.ts --production, or given by it).
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.config.js'),
  displayName: 'worker (production topology)',
  testMatch: ['<rootDir>/integration/reliability/*.spec.ts'],
};
