import type { Flock } from './flock';
import type { FlockRun } from './run-handle';
import type { RunRequest, RunResult } from './run-state';

/** Runs a flock: in-process ({@link LocalExecutor}) or on Temporal (`@flock-ts/temporal`). */
export interface FlockExecutor {
  /** Runs to the end: `start` then `result()`. */
  run(flock: Flock, request: RunRequest): Promise<RunResult>;
  /** Starts a run and returns its handle once it is under way. */
  start(flock: Flock, request: RunRequest): Promise<FlockRun>;
  /** The handle of a run started earlier (by this process, or elsewhere on Temporal), by its id. */
  getRun(flock: Flock, id: string): FlockRun;
  /**
   * Releases what the executor holds for `flock` (in-process workers,
   * connections); `flock.close()` calls it. Must be idempotent, and a later
   * run must work again. Optional: the in-process executor holds nothing.
   */
  close?(flock: Flock): Promise<void>;
}

/** Executor kinds a package can register. */
export type ExecutorKind = 'temporal';

/** Makes the executor of one flock. */
export type ExecutorFactory = (flock: Flock) => FlockExecutor;

// On globalThis so that two copies of this module (sources and dist, or two
// installs) share one registry: the registering package may load the other copy.
const REGISTRY = Symbol.for('@flock-ts/core/executors');
type Registry = Map<ExecutorKind, ExecutorFactory>;

function registry(): Registry {
  const scope = globalThis as { [REGISTRY]?: Registry };
  return (scope[REGISTRY] ??= new Map());
}

/**
 * Registers the executor factory of a kind; the last registration wins.
 * `@flock-ts/temporal` calls this when imported.
 *
 * @example
 * registerExecutor('temporal', (flock) => new TemporalExecutor(flock.temporalConfig));
 */
export function registerExecutor(kind: ExecutorKind, factory: ExecutorFactory): void {
  registry().set(kind, factory);
}

/** The registered factory of a kind, if any. */
export function getExecutorFactory(kind: ExecutorKind): ExecutorFactory | undefined {
  return registry().get(kind);
}

/** Removes a registration (tests). */
export function unregisterExecutor(kind: ExecutorKind): void {
  registry().delete(kind);
}
