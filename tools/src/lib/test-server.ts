import { startDevServer } from './dev-server';
import { FLOCK_DEV_SEARCH_ATTRIBUTES } from './flock-search-attributes';
import { PRODUCTION_TOPOLOGY } from './production-topology';
import { startProductionServer } from './production-server';
import { TEST_TEMPORAL_ENV_VARS, type TestTopology } from './test-temporal-env';

/** Namespace of the shared test server. */
export const TEST_NAMESPACE = 'flock-test';

/** The shared test server, whichever topology: what tests and the teardown need of it. */
export interface TestServer {
  topology: TestTopology;
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  /** The `temporal` CLI that runs a dev server; `undefined` for `temporal-server`. */
  cliPath?: string;
  pid: number;
  readyAfterMs: number;
  stop(): Promise<void>;
}

/**
 * Starts the server that tests share: namespace `flock-test`, the Flock
 * search attributes. `dev` (the default): the CLI's dev server, with a Web
 * UI to inspect failed runs. `production`: `temporal-server` on a
 * throwaway PostgreSQL cluster with several history shards, no UI
 * (`npm run temporal:prod`'s topology).
 *
 * @example
 * const server = await startTestServer();
 * Object.assign(process.env, testServerEnv(server));
 */
export async function startTestServer(topology: TestTopology = 'dev'): Promise<TestServer> {
  const options = { namespace: TEST_NAMESPACE, searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES } };
  if (topology === 'production') return { topology, ...(await startProductionServer(options)) };
  return { topology, ...(await startDevServer(options)) };
}

/** The `FLOCK_TEST_TEMPORAL_*` variables that point tests at `server`. */
export function testServerEnv(server: TestServer): Record<string, string> {
  const env: Record<string, string> = {
    [TEST_TEMPORAL_ENV_VARS.address]: server.address,
    [TEST_TEMPORAL_ENV_VARS.namespace]: server.namespace,
    [TEST_TEMPORAL_ENV_VARS.topology]: server.topology,
  };
  if (server.cliPath) env[TEST_TEMPORAL_ENV_VARS.cliPath] = server.cliPath;
  if (server.uiUrl) env[TEST_TEMPORAL_ENV_VARS.uiUrl] = server.uiUrl;
  return env;
}

/** One line for logs: where the server is and how fast it came up. */
export function describeServer(server: TestServer): string {
  const what =
    server.topology === 'production'
      ? `temporal-server ${PRODUCTION_TOPOLOGY.temporalServerVersion} on PostgreSQL (${PRODUCTION_TOPOLOGY.numHistoryShards} history shards)`
      : 'dev server';
  return `${what} ${server.address} (namespace ${server.namespace}, UI ${server.uiUrl ?? 'none'}, pid ${server.pid}) ready in ${server.readyAfterMs} ms`;
}
