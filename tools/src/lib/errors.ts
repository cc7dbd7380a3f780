/**
 * Errors of `@flock-ts/tools`. Match them by `name` or `code`, not with
 * `instanceof`: Jest global setup and test workers load this module in
 * different realms.
 */

/** One way of obtaining a binary that was tried and did not give one. */
export interface BinaryAttempt {
  /** Which step: `env`, `path`, `cache`, `pip` or `sdk-download`. */
  step: string;
  /** Why it gave nothing, in words. */
  reason: string;
}

/** No way of obtaining a Temporal binary worked; `attempts` says why for each. */
export class TemporalBinaryNotFoundError extends Error {
  override readonly name = 'TemporalBinaryNotFoundError';
  readonly code = 'TEMPORAL_BINARY_NOT_FOUND' as const;
  constructor(
    readonly binary: string,
    readonly attempts: BinaryAttempt[],
  ) {
    super(
      `Could not obtain ${binary}. Tried, in order:\n` +
        attempts.map((a) => `  - ${a.step}: ${a.reason}`).join('\n') +
        '\nInstall Python 3 with pip, or put a `temporal` binary on PATH, or name one with TEMPORAL_CLI_PATH.',
    );
  }
}

/** An environment variable names a binary that is missing or not executable. */
export class InvalidBinaryPathError extends Error {
  override readonly name = 'InvalidBinaryPathError';
  readonly code = 'INVALID_BINARY_PATH' as const;
  constructor(
    readonly variable: string,
    readonly path: string,
  ) {
    super(`${variable}=${path} does not name an executable file.`);
  }
}

/** The dev server exited or did not become healthy in time; `output` is its last lines. */
export class DevServerStartError extends Error {
  override readonly name = 'DevServerStartError';
  readonly code = 'DEV_SERVER_START_FAILED' as const;
  constructor(
    readonly reason: string,
    readonly output: string,
  ) {
    super(`Temporal dev server did not start: ${reason}${output ? `\n--- server output ---\n${output}` : ''}`);
  }
}

/** A test asked for the shared Temporal server but Jest's global setup did not provide one. */
export class TestTemporalEnvMissingError extends Error {
  override readonly name = 'TestTemporalEnvMissingError';
  readonly code = 'TEST_TEMPORAL_ENV_MISSING' as const;
  constructor(readonly variable: string) {
    super(
      `${variable} is not set. Add to the project's jest.config.js:\n` +
        "  globalSetup: '<rootDir>/../../tools/src/jest/temporal-global-setup.ts',\n" +
        "  globalTeardown: '<rootDir>/../../tools/src/jest/temporal-global-teardown.ts',",
    );
  }
}

/** No PostgreSQL server is installed where the tools look for one. */
export class PostgresNotFoundError extends Error {
  override readonly name = 'PostgresNotFoundError';
  readonly code = 'POSTGRES_NOT_FOUND' as const;
  constructor() {
    super(
      'No PostgreSQL server found (looked at FLOCK_POSTGRES_BIN_DIR, /usr/lib/postgresql/<version>/bin and `postgres` on PATH). ' +
        'Install it (Debian/Ubuntu, as root): apt-get install -y postgresql; or name its bin folder with FLOCK_POSTGRES_BIN_DIR.',
    );
  }
}

/** A throwaway PostgreSQL cluster did not start; `output` is its last lines. */
export class PostgresStartError extends Error {
  override readonly name = 'PostgresStartError';
  readonly code = 'POSTGRES_START_FAILED' as const;
  constructor(
    readonly reason: string,
    readonly output: string,
  ) {
    super(`PostgreSQL did not start: ${reason}${output ? `\n--- postgres output ---\n${output}` : ''}`);
  }
}

/** `temporal-server` could not be built or found; the message says what to install. */
export class TemporalServerBuildError extends Error {
  override readonly name = 'TemporalServerBuildError';
  readonly code = 'TEMPORAL_SERVER_BUILD_FAILED' as const;
  constructor(
    readonly reason: string,
    readonly output = '',
  ) {
    super(`Could not obtain temporal-server: ${reason}${output ? `\n--- go output ---\n${output}` : ''}`);
  }
}

/** The production-style Temporal server did not start; `output` is its last lines. */
export class ProductionServerStartError extends Error {
  override readonly name = 'ProductionServerStartError';
  readonly code = 'PRODUCTION_SERVER_START_FAILED' as const;
  constructor(
    readonly reason: string,
    readonly output: string,
  ) {
    super(`temporal-server did not start: ${reason}${output ? `\n--- server output ---\n${output}` : ''}`);
  }
}
