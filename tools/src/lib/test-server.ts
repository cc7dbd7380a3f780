import { startDevServer, type DevServer } from './dev-server';
import { FLOCK_DEV_SEARCH_ATTRIBUTES } from './flock-search-attributes';
import { TEST_TEMPORAL_ENV_VARS } from './test-temporal-env';

/** Namespace of the shared test server. */
export const TEST_NAMESPACE = 'flock-test';

/**
 * Starts the dev server that tests share: namespace `flock-test`, the Flock
 * search attributes, a Web UI to inspect failed runs.
 *
 * @example
 * const server = await startTestServer();
 * Object.assign(process.env, testServerEnv(server));
 */
export function startTestServer(): Promise<DevServer> {
  return startDevServer({ namespace: TEST_NAMESPACE, searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES } });
}

/** The `FLOCK_TEST_TEMPORAL_*` variables that point tests at `server`. */
export function testServerEnv(server: DevServer): Record<string, string> {
  const env: Record<string, string> = {
    [TEST_TEMPORAL_ENV_VARS.address]: server.address,
    [TEST_TEMPORAL_ENV_VARS.namespace]: server.namespace,
    [TEST_TEMPORAL_ENV_VARS.cliPath]: server.cliPath,
  };
  if (server.uiUrl) env[TEST_TEMPORAL_ENV_VARS.uiUrl] = server.uiUrl;
  return env;
}

/** One line for logs: where the server is and how fast it came up. */
export function describeServer(server: DevServer): string {
  return `dev server ${server.address} (namespace ${server.namespace}, UI ${server.uiUrl ?? 'none'}, pid ${server.pid}) ready in ${server.readyAfterMs} ms`;
}
