/** Errors of `@flock-ts/temporal`; match by `name` or `code`. */

export { FlockRunFailedError, type FlockRunErrorCode } from '@flock-ts/engine';

/** Why a `--flock` module could not be used. */
export type FlockModuleErrorCode = 'FLOCK_MODULE_NOT_FOUND' | 'FLOCK_MODULE_LOAD_FAILED' | 'FLOCK_MODULE_INVALID';

/** A flock module (`flock-worker --flock`, `flockctl run --flock`) is missing, throws while loading, or exports no Flock. */
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
