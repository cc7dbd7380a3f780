/**
 * `nx run @flock-ts/temporal:integration-prod`: long runs (continue-as-new),
 * memo and search attributes on SQL visibility, and replay of recorded and
 * live histories, on temporal-server with PostgreSQL and several history
 * shards (started by tools/scripts/with-temporal.ts --production).
 * @type {import('jest').Config}
 */
module.exports = {
  ...require('./jest.config.js'),
  displayName: 'temporal (production topology)',
  testMatch: ['run-engine', 'memo-and-search', 'replay', 'live-replay', 'long-run'].map((name) => `<rootDir>/integration/${name}.spec.ts`),
};
