/** Errors of `@flock-ts/temporal`; match by `name` or `code`. */

/** A run on Temporal ended without a result: failed, cancelled, terminated or timed out. */
export class FlockRunFailedError extends Error {
  override readonly name = 'FlockRunFailedError';
  readonly code = 'RUN_FAILED' as const;
  constructor(
    message: string,
    /** Workflow id of the run, for `flockctl status` or the Web UI. */
    readonly workflowId: string,
    /** Failure type raised by the workflow (`AgentExecutionError`, `MaxIterationsExceededError`, ...). */
    readonly failureType: string | undefined,
    /** The agent that failed, when an agent did. */
    readonly agent: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

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
