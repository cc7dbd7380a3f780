/**
 * Jest global setup: one Temporal dev server for the whole test run.
 *
 * In a project's jest.config.js:
 *   globalSetup: '<rootDir>/../../tools/src/jest/temporal-global-setup.ts',
 *   globalTeardown: '<rootDir>/../../tools/src/jest/temporal-global-teardown.ts',
 *
 * Test workers read FLOCK_TEST_TEMPORAL_ADDRESS, _NAMESPACE, _UI and _CLI
 * (workers are forked after this runs, so they inherit the variables). When
 * FLOCK_TEST_TEMPORAL_ADDRESS is already set (`.ci/run` starts one server for
 * all projects), that server is used and nothing is started.
 */
import { startDevServer } from '../lib/dev-server';
import { findTemporalCli } from '../lib/find-binary';
import { FLOCK_DEV_SEARCH_ATTRIBUTES } from '../lib/flock-search-attributes';
import { TEST_TEMPORAL_ENV_VARS } from '../lib/test-temporal-env';
import { DEV_SERVER_GLOBAL_KEY, type GlobalWithDevServer } from './global-key';

/** Namespace of the server the global setup starts. */
export const TEST_NAMESPACE = 'flock-test';

export default async function temporalGlobalSetup(): Promise<void> {
  const env = process.env;
  if (env[TEST_TEMPORAL_ENV_VARS.address]) {
    env[TEST_TEMPORAL_ENV_VARS.namespace] ||= 'default';
    if (!env[TEST_TEMPORAL_ENV_VARS.cliPath]) {
      const cli = findTemporalCli();
      if (cli) env[TEST_TEMPORAL_ENV_VARS.cliPath] = cli.path;
    }
    return;
  }
  const server = await startDevServer({ namespace: TEST_NAMESPACE, searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES } });
  (globalThis as GlobalWithDevServer)[DEV_SERVER_GLOBAL_KEY] = server;
  env[TEST_TEMPORAL_ENV_VARS.address] = server.address;
  env[TEST_TEMPORAL_ENV_VARS.namespace] = server.namespace;
  env[TEST_TEMPORAL_ENV_VARS.cliPath] = server.cliPath;
  if (server.uiUrl) env[TEST_TEMPORAL_ENV_VARS.uiUrl] = server.uiUrl;
  process.stderr.write(
    `\n[temporal] dev server ${server.address} (namespace ${server.namespace}, UI ${server.uiUrl ?? 'none'}) ready in ${server.readyAfterMs} ms\n`,
  );
}
