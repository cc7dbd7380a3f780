import { randomUUID } from 'node:crypto';
import { TestTemporalEnvMissingError } from './errors';

/** Which Temporal the tests run on: the CLI's dev server, or `temporal-server` on PostgreSQL. */
export type TestTopology = 'dev' | 'production';

/** The shared server Jest's global setup provides to test workers. */
export interface TestTemporalEnv {
  /** `FLOCK_TEST_TEMPORAL_ADDRESS`: gRPC `host:port`. */
  address: string;
  /** `FLOCK_TEST_TEMPORAL_NAMESPACE`. */
  namespace: string;
  /** `FLOCK_TEST_TEMPORAL_UI`: Web UI link, when the server has one. */
  uiUrl: string | undefined;
  /** `FLOCK_TEST_TEMPORAL_CLI`: the `temporal` executable, when known. */
  cliPath: string | undefined;
  /** `FLOCK_TEST_TEMPORAL_TOPOLOGY`: what kind of server it is; default `dev`. */
  topology: TestTopology;
}

/** Names of the variables the global setup exports. */
export const TEST_TEMPORAL_ENV_VARS = {
  address: 'FLOCK_TEST_TEMPORAL_ADDRESS',
  namespace: 'FLOCK_TEST_TEMPORAL_NAMESPACE',
  uiUrl: 'FLOCK_TEST_TEMPORAL_UI',
  cliPath: 'FLOCK_TEST_TEMPORAL_CLI',
  topology: 'FLOCK_TEST_TEMPORAL_TOPOLOGY',
} as const;

/**
 * The topology a variable asks for (`dev` when unset).
 *
 * @throws Error naming the variable and the values it takes.
 */
export function parseTopology(value: string | undefined): TestTopology {
  if (!value || value === 'dev' || value === 'production') return (value || 'dev') as TestTopology;
  throw new Error(`${TEST_TEMPORAL_ENV_VARS.topology}=${value}: expected "dev" or "production"`);
}

/**
 * Reads the shared test server from the environment.
 *
 * @throws TestTemporalEnvMissingError saying how to add the global setup.
 * @example
 * const { address, namespace } = testTemporalEnv();
 * const connection = await Connection.connect({ address });
 */
export function testTemporalEnv(env: NodeJS.ProcessEnv = process.env): TestTemporalEnv {
  const address = env[TEST_TEMPORAL_ENV_VARS.address];
  if (!address) throw new TestTemporalEnvMissingError(TEST_TEMPORAL_ENV_VARS.address);
  return {
    address,
    namespace: env[TEST_TEMPORAL_ENV_VARS.namespace] || 'default',
    uiUrl: env[TEST_TEMPORAL_ENV_VARS.uiUrl] || undefined,
    cliPath: env[TEST_TEMPORAL_ENV_VARS.cliPath] || undefined,
    topology: parseTopology(env[TEST_TEMPORAL_ENV_VARS.topology]),
  };
}

/**
 * A name no other test (in this run or a parallel one on the same server)
 * uses: for task queues and workflow ids.
 *
 * @example
 * const taskQueue = uniqueName('flock-it');  // 'flock-it-3f9c0a1e...'
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}
