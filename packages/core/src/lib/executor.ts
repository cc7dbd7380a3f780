import type { Flock } from './flock';
import type { FlockRun } from './run-handle';
import type { RunRequest, RunResult } from './run-state';

/**
 * Runs a flock: in-process ({@link LocalExecutor}, the default) or on
 * Temporal (`temporal()` from `@flock-ts/temporal`), chosen with the
 * `executor` option of `new Flock()`.
 */
export interface FlockExecutor<Extra extends object = NoExecutorFields> {
  /** `'temporal'` makes the flock's `enableTemporal` true (its definition and memo say where it runs). */
  readonly kind: ExecutorKind;
  /** Runs to the end: `start` then `result()`; `Extra` is what it adds to results (e.g. `temporal`). */
  run(flock: Flock, request: RunRequest): Promise<RunResult & Extra>;
  /** Starts a run and returns its handle once it is under way. */
  start(flock: Flock, request: RunRequest): Promise<FlockRun<RunResult & Extra>>;
  /** The handle of a run started earlier (by this process, or elsewhere on Temporal), by its id. */
  getRun(flock: Flock, id: string): FlockRun;
  /**
   * Releases what the executor holds for `flock` (in-process workers,
   * connections); `flock.close()` calls it. Must be idempotent, and a later
   * run must work again. Optional: the in-process executor holds nothing.
   */
  close?(flock: Flock): Promise<void>;
}

/**
 * What an executor that adds nothing adds to run results: `R & {}` is `R`
 * to TypeScript, so results of in-process flocks read as plain `RunResult`s.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type NoExecutorFields = {};

/** Where an executor runs flocks: in this process, or durably on Temporal. */
export type ExecutorKind = 'local' | 'temporal';
