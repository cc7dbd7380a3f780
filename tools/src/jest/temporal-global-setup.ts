/**
 * Jest global setup: one Temporal server for the whole test run: the CLI's
 * dev server, or with FLOCK_TEST_TEMPORAL_TOPOLOGY=production `temporal-server`
 * on PostgreSQL (the `integration-prod` targets).
 *
 * In a project's jest.config.js:
 *   globalSetup: '<rootDir>/../../tools/src/jest/temporal-global-setup.ts',
 *   globalTeardown: '<rootDir>/../../tools/src/jest/temporal-global-teardown.ts',
 *
 * Test workers read FLOCK_TEST_TEMPORAL_ADDRESS, _NAMESPACE, _UI, _CLI and _TOPOLOGY
 * (workers are forked after this runs, so they inherit the variables). When
 * FLOCK_TEST_TEMPORAL_ADDRESS is already set (`.ci/run` starts one server for
 * all projects), that server is used and nothing is started.
 */
import { findTemporalCli } from '../lib/find-binary';
import { waitUntilHealthy } from '../lib/wait-healthy';
import { parseTopology, TEST_TEMPORAL_ENV_VARS } from '../lib/test-temporal-env';
import { describeServer, startTestServer, testServerEnv } from '../lib/test-server';
import { DEV_SERVER_GLOBAL_KEY, type GlobalWithDevServer } from './global-key';

export default async function temporalGlobalSetup(): Promise<void> {
  const env = process.env;
  const reused = env[TEST_TEMPORAL_ENV_VARS.address];
  if (reused) {
    const namespace = (env[TEST_TEMPORAL_ENV_VARS.namespace] ||= 'default');
    // One clear failure here beats every test timing out on a dead address.
    await waitUntilHealthy({ address: reused, namespace, deadline: Date.now() + 15_000, failure: () => undefined }).catch((error: Error) => {
      throw new Error(`${TEST_TEMPORAL_ENV_VARS.address}=${reused} (namespace ${namespace}) does not answer: ${error.message}`);
    });
    if (!env[TEST_TEMPORAL_ENV_VARS.cliPath]) {
      const cli = findTemporalCli();
      if (cli) env[TEST_TEMPORAL_ENV_VARS.cliPath] = cli.path;
    }
    return;
  }
  const server = await startTestServer(parseTopology(env[TEST_TEMPORAL_ENV_VARS.topology]));
  (globalThis as GlobalWithDevServer)[DEV_SERVER_GLOBAL_KEY] = server;
  Object.assign(env, testServerEnv(server));
  process.stderr.write(`\n[temporal] ${describeServer(server)}\n`);
}
