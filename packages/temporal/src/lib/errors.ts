/**
 * Errors of `@flock-ts/temporal`: {@link FlockError}s. A failed run comes
 * back as a `FlockRunFailedError`; the failure `type`s it is read from are
 * `FlockFailureType` (`@flock-ts/contracts`).
 */
import { FlockError } from '@flock-ts/config';

export { FlockRunFailedError, type FlockRunErrorCode } from '@flock-ts/engine';

/** The codes of `@flock-ts/temporal`'s own errors. */
export type TemporalErrorCode = FlockModuleErrorCode | 'RUN_ALREADY_STARTED' | 'IN_PROCESS_WORKER_START_FAILED' | 'CLI_USAGE' | 'TEMPORAL_UNREACHABLE';

/**
 * The command line (or an environment variable standing in for an option)
 * of `flock-worker` or `flockctl` is wrong; they exit with status 2.
 */
export class CliUsageError extends FlockError<'CLI_USAGE'> {
  static {
    FlockError.named(this, 'CliUsageError');
  }
  constructor(message: string) {
    super('CLI_USAGE', message, { nonRetryable: true });
  }
}

/** Why a `--flock` module could not be used. */
export type FlockModuleErrorCode = 'FLOCK_MODULE_NOT_FOUND' | 'FLOCK_MODULE_LOAD_FAILED' | 'FLOCK_MODULE_INVALID';

/** A flock module (`flock-worker --flock`, `flockctl run --flock`) is missing, throws while loading, or exports no Flock. */
export class FlockModuleError extends FlockError<FlockModuleErrorCode> {
  static {
    FlockError.named(this, 'FlockModuleError');
  }
  constructor(
    code: FlockModuleErrorCode,
    /** The module as given on the command line. */
    readonly specifier: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, { cause: options?.cause, nonRetryable: true });
  }
}

/**
 * A run with this run id already exists (running or closed): run ids are
 * unique per flock, so a second start never runs the flock twice. Start
 * without `runId` for a new run, or read the existing one by its workflow id.
 */
export class FlockRunAlreadyStartedError extends FlockError<'RUN_ALREADY_STARTED'> {
  static {
    FlockError.named(this, 'FlockRunAlreadyStartedError');
  }
  constructor(
    readonly workflowId: string,
    readonly runId: string,
    options?: { cause?: unknown },
  ) {
    super(
      'RUN_ALREADY_STARTED',
      `A run with id "${runId}" already exists (workflow ${workflowId}): run ids are unique, a run is never started twice. ` +
        `Leave runId out for a new run, or follow the existing one (flockctl status ${workflowId}).`,
      options,
    );
  }
}

/**
 * The in-process workers of a flock (`temporalStartInProcessWorker`) could
 * not start: the run that needed them rejects with this error (the cause
 * says why, e.g. an unreachable address) and nothing was started on
 * Temporal. The next run tries again.
 */
export class InProcessWorkerStartError extends FlockError<'IN_PROCESS_WORKER_START_FAILED'> {
  static {
    FlockError.named(this, 'InProcessWorkerStartError');
  }
  constructor(
    readonly flockName: string,
    /** Where the workers were to poll. */
    readonly address: string,
    readonly namespace: string,
    readonly taskQueues: string[],
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      'IN_PROCESS_WORKER_START_FAILED',
      `The in-process workers of flock "${flockName}" (task queue${taskQueues.length === 1 ? '' : 's'} ${taskQueues.join(', ')}) ` +
        `could not start on Temporal at ${address} (namespace ${namespace}): ${reason.replace(/[.\s]+$/, '')}. The run was not started; the next run tries again.`,
      options,
    );
  }
}

/**
 * Why a connection to Temporal failed (`TemporalUnreachableError.reason`):
 * - `refused`: nothing listens at the address;
 * - `dns`: the host name does not resolve;
 * - `unreachable`: the network has no route to the host (or reset the connection);
 * - `timeout`: no TCP connection, or no answer, within the connect deadline;
 * - `tls-mismatch`: one side speaks TLS and the other does not;
 * - `tls-handshake`: both speak TLS, but the certificates do not fit (untrusted CA, server name, client certificate);
 * - `rejected`: the server answered and turned the credentials down (API key, permissions);
 * - `protocol`: something answered, but not as a Temporal frontend (gRPC);
 * - `unknown`: none of the above; the cause says what the SDK saw.
 */
export type TemporalUnreachableReason = 'refused' | 'dns' | 'unreachable' | 'timeout' | 'tls-mismatch' | 'tls-handshake' | 'rejected' | 'protocol' | 'unknown';

/**
 * Flock could not open a connection to Temporal (a client, a worker, the
 * in-process workers). The message names the address and namespace, the
 * likely cause and what to do; `reason` is the cause to switch on, and the
 * SDK's own error is the `cause`. A later attempt may succeed (not
 * `nonRetryable`).
 *
 * @example
 * if (isFlockError(error, 'TEMPORAL_UNREACHABLE')) console.error(error.message); // no stack needed
 */
export class TemporalUnreachableError extends FlockError<'TEMPORAL_UNREACHABLE'> {
  static {
    FlockError.named(this, 'TemporalUnreachableError');
  }
  constructor(
    /** The address connected to (`host:port`). */
    readonly address: string,
    readonly namespace: string,
    readonly reason: TemporalUnreachableReason,
    /** What went wrong and what to do, in words; the message begins with the address and namespace. */
    explanation: string,
    options?: { cause?: unknown },
  ) {
    super('TEMPORAL_UNREACHABLE', `Cannot reach Temporal at ${address} (namespace ${namespace}): ${explanation}`, { cause: options?.cause, details: { reason } });
  }
}
