/**
 * `nx run @flock-ts/starter:integration-prod`: the seed end to end through
 * flockctl and flock-worker processes, on temporal-server with PostgreSQL and
 * several history shards (started by tools/scripts/with-temporal.ts --production).
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.config.js'),
  displayName: 'starter (production topology)',
  testMatch: ['<rootDir>/integration/flockctl.spec.ts', '<rootDir>/integration/seed-processes.spec.ts'],
};
