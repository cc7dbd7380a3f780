/** Errors of `flockctl`; match by `name` or `code`. */

/** The command line is wrong; `flockctl` exits with status 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  readonly code = 'CLI_USAGE' as const;
}

/** Why a `--flock` module could not be used. */
export type FlockModuleErrorCode = 'FLOCK_MODULE_NOT_FOUND' | 'FLOCK_MODULE_LOAD_FAILED' | 'FLOCK_MODULE_INVALID';

/** A `--flock` module is missing, throws while loading, or exports no Flock (or not the one asked for). */
export class FlockModuleError extends Error {
  override readonly name = 'FlockModuleError';
  constructor(
    readonly code: FlockModuleErrorCode,
    /** The module as given on the command line. */
    readonly specifier: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
