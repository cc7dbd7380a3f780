import type { FlockResponse, FlockResponseReceipt, FlockRunEvent, ResumeRequest, RunPhase, RunResult, RunStatus } from './run-state';

/** Options of {@link FlockRun.events}. */
export interface RunEventsOptions {
  /** Stops the iteration (the run goes on). */
  signal?: AbortSignal;
  /** Also yield `text-delta` events (model tokens, `ctx.emitText`) while steps run. Default true. */
  text?: boolean;
}

/** What {@link FlockRun.cancel} found once the run had ended, or `running` when it had not ended within the wait. */
export type CancelOutcome = RunPhase;

/** Options of {@link FlockRun.cancel}. */
export interface CancelOptions {
  /**
   * How long to wait for the run to end (the running step stops first):
   * default until it ends. On Temporal, a run whose worker is down ends
   * once a worker returns.
   */
  waitMs?: number;
}

/**
 * A run in flight (or ended), the same on every executor: what
 * `flock.start()` returns and `flock.getRun(id)` attaches to. `R` is what
 * `result()` gives: a typed flock's `start()` says which agents can end it.
 *
 * @example
 * const run = await flock.start({ startAgent: 'drafter', input: { topic } });
 * for await (const event of run.events()) {
 *   if (event.type === 'waiting') await run.send({ approved: true });
 * }
 * const { output } = await run.result();
 */
export interface FlockRun<R = RunResult> {
  /** The run's id: the workflow id on Temporal, the run id in-process. */
  readonly id: string;
  /** Where the run executes. */
  readonly executor: 'local' | 'temporal';
  /** Settles when the run ends: its result, or a `FlockRunFailedError` (`code` says why, `CANCELLED` for a cancelled run). */
  result(): Promise<R>;
  /** Where the run is now: phase, current agent, latest steps, what it waits for. */
  status(): Promise<RunStatus>;
  /**
   * The run's events, in order, each once, from its first step (text
   * deltas: from now on); ends after `run-completed` or `run-failed`.
   */
  events(options?: RunEventsOptions): AsyncIterable<FlockRunEvent>;
  /**
   * Answers what the run waits for: `{ output }` for a human agent (checked
   * against its output signature), `{ approved, comment? }` for an
   * approval. Rejects with `InvalidResponseError` naming what does not
   * match; the run then keeps waiting.
   */
  send(response: FlockResponse): Promise<FlockResponseReceipt>;
  /** Pauses the run at the next step boundary (the running step finishes). `InvalidRunCommandError` when already paused. */
  pause(reason?: string): Promise<RunStatus>;
  /**
   * Resumes a paused run. `InvalidRunCommandError` when it is not paused.
   * A run paused by its budget (`onExceeded: 'pause'`, status
   * `budgetExceeded`) needs `budget` with the crossed limit above what was
   * used: the new limits replace that budget's for the rest of the run;
   * without them the resume is refused and the run stays paused.
   *
   * @example
   * await run.resume({ budget: { maxTokens: 20_000 } });
   */
  resume(request?: ResumeRequest): Promise<RunStatus>;
  /**
   * Cancels the run: the running step's `ctx.signal` fires, and the run
   * ends once that step has stopped. Resolves with the phase the run ended
   * in (`cancelled`, or `completed`/`failed` when it ended first), or
   * `running` when it had not ended within `waitMs`.
   */
  cancel(options?: CancelOptions): Promise<CancelOutcome>;
}
