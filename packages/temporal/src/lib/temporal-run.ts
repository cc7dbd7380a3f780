import {
  FLOCK_SEARCH_ATTRIBUTES,
  flockPauseUpdate,
  flockRespondUpdate,
  flockResumeUpdate,
  flockStatusQuery,
  type FlockPauseRequest,
  type FlockResumeRequest,
  type FlockRunStatus,
  type FlockRunStatusV1,
} from '@flock-ts/contracts';
import { OnStepError, type CancelOptions, type CancelOutcome, type FlockRun, type RunEventsOptions } from '@flock-ts/core';
import {
  InvalidResponseError,
  InvalidRunCommandError,
  isBudgetCrossing,
  isWaitingFor,
  RECENT_STEPS,
  stepSummary,
  sumUsage,
  type FlockResponse,
  type FlockResponseReceipt,
  type FlockRunEvent,
  type RunPhase,
  type RunResult,
  type StepRecord,
  type StepSummary,
  type TokenUsage,
} from '@flock-ts/engine';
import {
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowExecutionStatusName,
  type WorkflowHandle,
} from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ResolvedConnection } from './connection';
import { abortable, readRunEvents } from './run-events';
import { normalizeRunResult, normalizeRunStatus } from './run-results';
import { connectFlockClient, flockRunClosure, flockRunWebUiUrl, toFlockRunFailedError, type FlockRunHandleInfo } from './run-start';

/** How long a status query may wait for a worker before status() reads the run's history instead. */
export const STATUS_QUERY_TIMEOUT_MS = 5_000;

/** How long an unused shared client keeps its connection open. */
export const CLIENT_IDLE_CLOSE_MS = 1_000;

/** A Temporal client for the time of one call (or one iteration). */
export interface FlockClientSource {
  use<T>(fn: (client: Client) => Promise<T>): Promise<T>;
  iterate<T>(fn: (client: Client) => AsyncIterable<T>): AsyncIterable<T>;
}

/** A client someone else owns and closes (e.g. `FlockRunsClient`'s). */
export function fixedClientSource(client: Client): FlockClientSource {
  return { use: (fn) => fn(client), iterate: (fn) => fn(client) };
}

/**
 * A client connected on first use and closed once nothing has used it for
 * {@link CLIENT_IDLE_CLOSE_MS}: handles of runs (`flock.getRun`) hold no
 * connection while idle, so they never keep a process alive.
 */
export class SharedFlockClient implements FlockClientSource {
  private client: Promise<Client> | undefined;
  private users = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly connection: ResolvedConnection,
    private readonly idleMs = CLIENT_IDLE_CLOSE_MS,
  ) {}

  async use<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    this.acquire();
    try {
      return await fn(await this.connect());
    } finally {
      this.release();
    }
  }

  async *iterate<T>(fn: (client: Client) => AsyncIterable<T>): AsyncGenerator<T> {
    this.acquire();
    try {
      yield* fn(await this.connect());
    } finally {
      this.release();
    }
  }

  /** Closes the connection now (a later use connects again). */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const pending = this.client;
    this.client = undefined;
    const client = await pending?.catch(() => undefined);
    await client?.connection.close().catch(() => undefined);
  }

  private acquire(): void {
    this.users++;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private release(): void {
    if (--this.users > 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.users === 0) void this.close();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private connect(): Promise<Client> {
    if (!this.client) {
      const connecting = connectFlockClient(this.connection);
      this.client = connecting;
      // a failed connection is tried again on the next use
      connecting.catch(() => {
        if (this.client === connecting) this.client = undefined;
      });
    }
    return this.client;
  }
}

/** What a handle made by `TemporalExecutor.start` looks after besides the run. */
export interface TemporalFlockRunOptions {
  /** The connection the run is on (Web UI links). */
  connection?: ResolvedConnection;
  /** Where the run lives, when this process started it: attached to its result as `temporal`. */
  info?: FlockRunHandleInfo;
  /** Called with each finished step, whole, in order, once (read from history as steps complete). */
  onStep?: (step: StepRecord) => void;
  /** A hold on the in-process workers that serve the run: released once it has ended (or the handle stopped). */
  workers?: { release(): void };
  /** Cancels the run when it aborts. */
  signal?: AbortSignal;
}

/**
 * A Flock run on Temporal, by its workflow id: what `flock.start()` returns
 * with `enableTemporal` and `flock.getRun(workflowId)` attaches to, from any
 * process. Everything it does goes through the run's workflow (status
 * query, `flock.respond` / `flock.pause` / `flock.resume` updates,
 * cancellation) and its history (events, result), across continue-as-new.
 * It holds a connection only while a call needs one.
 *
 * @example
 * const run = flock.getRun('docs-7f3a...');
 * for await (const event of run.events()) if (event.type === 'waiting') await run.send({ approved: true });
 */
export class TemporalFlockRun<R extends RunResult = RunResult> implements FlockRun<R> {
  readonly executor = 'temporal' as const;
  private readonly background = new AbortController();
  private readonly follower: StepFollower | undefined;
  private readonly watcher: Promise<void> | undefined;
  private settled: Promise<R> | undefined;

  constructor(
    /** The workflow id. */
    readonly id: string,
    private readonly clients: FlockClientSource,
    private readonly options: TemporalFlockRunOptions = {},
  ) {
    if (options.onStep) this.follower = followSteps(clients, id, options.info?.runId, options.onStep);
    if (options.workers) {
      const { workers } = options;
      // the workers serve the run until it has ended (a stopped handle lets go of them at once)
      this.watcher = clients
        .use((client) => waitForClose(client, id, this.background.signal))
        .catch(() => undefined)
        .then(() => workers.release());
    }
    const { signal } = options;
    if (signal) {
      const onAbort = () => void this.requestCancel().catch(() => undefined);
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.background.signal.addEventListener('abort', () => signal.removeEventListener('abort', onAbort), { once: true });
      }
    }
  }

  /** Where the run lives, when this process started it. */
  get info(): FlockRunHandleInfo | undefined {
    return this.options.info;
  }

  /** Web UI link of the run, when the UI's address is known. */
  get webUiUrl(): string | undefined {
    return this.options.info?.webUiUrl ?? (this.options.connection ? flockRunWebUiUrl(this.options.connection, this.id) : undefined);
  }

  /**
   * The run's result once it ends (following its continue-as-new chain); a
   * failed, cancelled, terminated or timed-out run rejects with
   * `FlockRunFailedError` (`code`). With `onStep`, resolves after every step
   * was delivered, and rejects with `OnStepError` (carrying the result) when
   * the callback threw.
   */
  result(): Promise<R> {
    if (this.settled) return this.settled;
    const settled = this.awaitResult();
    // with an onStep follower the outcome is one, however often it is asked for
    if (this.follower) this.settled = settled;
    return settled;
  }

  private async awaitResult(): Promise<R> {
    let result: RunResult;
    try {
      result = normalizeRunResult(await this.clients.use((client) => client.workflow.getHandle(this.id).result()));
    } catch (error) {
      await this.follower?.stop(false);
      throw toFlockRunFailedError(error, this.id, this.webUiUrl);
    }
    await this.follower?.stop(true, result);
    // R carries `temporal` only for handles made with their info (started by this process)
    return (this.options.info ? { ...result, temporal: this.options.info } : result) as R;
  }

  /**
   * Where the run is: the workflow's status query (phase, current agent,
   * latest steps, what it waits for, a pending pause), mapped to today's
   * shape for v1 runs. When no worker answers within
   * {@link STATUS_QUERY_TIMEOUT_MS} (or none polls a closed run's queue),
   * the run's description and history tell instead, so it never hangs.
   */
  status(): Promise<FlockRunStatus> {
    return this.clients.use((client) => readFlockRunStatus(client, this.id));
  }

  /**
   * The run's events from its first step, in order, each once, until its
   * last (`run-completed` / `run-failed`); `text-delta` events of running
   * steps unless `text: false` (see `readRunEvents` for what they cost and
   * guarantee).
   */
  events(options: RunEventsOptions = {}): AsyncIterable<FlockRunEvent> {
    return this.clients.iterate((client) => readRunEvents(client, this.id, { follow: true, text: options.text ?? true, ...(options.signal ? { signal: options.signal } : {}) }));
  }

  /**
   * Answers what the run waits for (the `flock.respond` update). A refused
   * answer rejects with `InvalidResponseError` (the workflow's validator's
   * message; nothing enters the run's history) and the run keeps waiting.
   * Needs a worker: the update waits for one.
   */
  send(response: FlockResponse): Promise<FlockResponseReceipt> {
    return this.command(InvalidResponseError, 'The run is not waiting for a response', (handle) => handle.executeUpdate(flockRespondUpdate, { args: [response] }));
  }

  /** Pauses the run at the next step boundary (`flock.pause`); `InvalidRunCommandError` when already paused. */
  pause(reason?: string): Promise<FlockRunStatus> {
    const request: FlockPauseRequest = reason === undefined ? {} : { reason };
    return this.command(InvalidRunCommandError, 'The run cannot be paused', (handle) => handle.executeUpdate(flockPauseUpdate, { args: [request] }));
  }

  /**
   * Resumes a paused run (`flock.resume`); `InvalidRunCommandError` when it
   * is not paused, or when it is paused by its budget and `request.budget`
   * does not raise the crossed limit above what was used (the workflow's
   * validator refuses it: nothing enters history, the run stays paused).
   */
  resume(request: FlockResumeRequest = {}): Promise<FlockRunStatus> {
    return this.command(InvalidRunCommandError, 'The run cannot be resumed', (handle) => handle.executeUpdate(flockResumeUpdate, { args: [request] }));
  }

  /**
   * Cancels the run: its running step's `ctx.signal` fires (through the
   * step's next heartbeat, within about 1-2 s) and the run ends once that
   * step has stopped. Resolves with the phase the run ended in
   * (`cancelled`, or `completed` / `failed` when it ended first), or
   * `running` when it had not ended within `waitMs` (e.g. no worker is up:
   * the run ends cancelled once one is).
   */
  async cancel(options: CancelOptions = {}): Promise<CancelOutcome> {
    return this.clients.use(async (client) => {
      const ended = await this.requestCancelWith(client);
      if (ended) return ended;
      const abort = new AbortController();
      const timer = options.waitMs === undefined ? undefined : setTimeout(() => abort.abort(), Math.max(options.waitMs, 0));
      try {
        return (await waitForClose(client, this.id, abort.signal)) ?? 'running';
      } finally {
        clearTimeout(timer);
      }
    });
  }

  /**
   * Stops what this handle looks after in this process: the `onStep`
   * follower, its hold on the in-process workers (they stop once no run
   * of the flock needs them; the run goes on elsewhere, or once a worker is
   * back) and the watch on the start's abort signal.
   * `flock.run()` calls it once the result is in.
   */
  async stop(): Promise<void> {
    this.background.abort();
    await this.follower?.stop(false);
    await this.watcher;
  }

  private requestCancel(): Promise<RunPhase | undefined> {
    return this.clients.use((client) => this.requestCancelWith(client));
  }

  /** Requests cancellation; the phase of a run that had already ended. */
  private async requestCancelWith(client: Client): Promise<RunPhase | undefined> {
    try {
      await client.workflow.getHandle(this.id).cancel();
      return undefined;
    } catch (error) {
      const phase = await endedPhaseOf(client, this.id).catch(() => undefined);
      if (phase) return phase;
      throw error;
    }
  }

  private command<T>(Refusal: new (message: string) => Error, whenEnded: string, update: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
    return this.clients.use(async (client) => {
      try {
        return await update(client.workflow.getHandle(this.id));
      } catch (error) {
        const refusal = refusalOf(error, Refusal);
        if (refusal) throw refusal;
        // an update to a closed run: refused as the local executor refuses it
        if (error instanceof WorkflowNotFoundError) {
          const phase = await endedPhaseOf(client, this.id).catch(() => undefined);
          if (phase) throw Object.assign(new Refusal(`${whenEnded}: it has ended (${phase})`), { cause: error });
        }
        throw error;
      }
    });
  }
}

/**
 * The error a refused update stands for: a `WorkflowUpdateFailedError`
 * whose cause is an `ApplicationFailure` of the refusal's type (a failure
 * from Temporal: matched by its `type`), as the workflow's validator threw it.
 */
export function refusalOf(error: unknown, Refusal: new (message: string) => Error): Error | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = (error as { cause?: { type?: string; name?: string; message?: string; details?: unknown[] } }).cause;
  const expected = new Refusal('').name;
  if (cause?.type !== expected && cause?.name !== expected) return undefined;
  const refusal = new Refusal(cause.message ?? expected);
  if (refusal instanceof InvalidResponseError) {
    const issues = (cause.details?.[0] as { issues?: unknown } | undefined)?.issues;
    if (Array.isArray(issues) && issues.every((issue) => typeof issue === 'string')) return Object.assign(new InvalidResponseError(refusal.message, issues), { cause: error });
  }
  return Object.assign(refusal, { cause: error });
}

/**
 * Waits (history long-poll, following continue-as-new) until the run has
 * ended: its phase, or `undefined` when `signal` aborted first.
 */
async function waitForClose(client: Client, workflowId: string, signal: AbortSignal): Promise<RunPhase | undefined> {
  if (signal.aborted) return undefined;
  try {
    await abortable(client, signal, () => client.workflow.getHandle(workflowId).result());
    return 'completed';
  } catch (error) {
    if (signal.aborted) return undefined;
    if (error instanceof WorkflowFailedError) return flockRunClosure(error).code === 'CANCELLED' ? 'cancelled' : 'failed';
    throw error;
  }
}

/** The phase of a run that has ended, `undefined` while it runs. */
async function endedPhaseOf(client: Client, workflowId: string): Promise<RunPhase | undefined> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return endedPhase(description.status.name);
}

/** The phase of a closed execution status (terminated and timed-out runs failed), `undefined` for a running one. */
export function endedPhase(status: WorkflowExecutionStatusName): RunPhase | undefined {
  switch (status) {
    case 'COMPLETED':
      return 'completed';
    case 'CANCELLED':
      return 'cancelled';
    case 'FAILED':
    case 'TERMINATED':
    case 'TIMED_OUT':
      return 'failed';
    default:
      return undefined;
  }
}

const OPEN_PHASES = new Set<string>(['running', 'waiting', 'paused']);

/**
 * A run's status: a completed run's from its result; a running run's from
 * the workflow's status query when a worker answers within
 * {@link STATUS_QUERY_TIMEOUT_MS}; otherwise (no worker, or a run that
 * failed or was cancelled) read from its description (phase and current
 * agent search attributes, what it waits for in the memo) and its history
 * (steps, usage, pause). Never waits for a worker longer than that.
 */
export async function readFlockRunStatus(client: Client, workflowId: string): Promise<FlockRunStatus> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const ended = endedPhase(description.status.name);
  if (ended === 'completed') {
    const result = await handle
      .result()
      .then(normalizeRunResult)
      .catch(() => undefined);
    if (result) return statusOfResult(result, description);
  }
  if (!ended && (await taskQueueHasPollers(client, description.taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW).catch(() => true))) {
    const queried = await queryFlockRunStatus(client, handle).catch(() => undefined);
    if (queried) return queried;
  }
  return statusFromHistory(client, workflowId, description, ended);
}

function statusOfResult(result: RunResult, description: WorkflowExecutionDescription): FlockRunStatus {
  const memo = (description.memo ?? {}) as { workflowVersion?: unknown };
  return {
    runId: result.runId,
    flockName: result.flockName,
    phase: 'completed',
    currentAgent: null,
    stepsDone: result.stepCount,
    steps: result.steps,
    ...(result.usage ? { usage: result.usage } : {}),
    workflowVersion: typeof memo.workflowVersion === 'number' ? memo.workflowVersion : 2,
  };
}

/** The workflow's status query, in today's shape (v1 runs too); rejects when no worker answers within {@link STATUS_QUERY_TIMEOUT_MS}. */
export async function queryFlockRunStatus(client: Client, handle: WorkflowHandle): Promise<FlockRunStatus> {
  const raw = await client.connection.withDeadline(Date.now() + STATUS_QUERY_TIMEOUT_MS, () => handle.query(flockStatusQuery));
  return normalizeRunStatus(raw as FlockRunStatus | FlockRunStatusV1);
}

/** Whether a worker polls `taskQueue` for tasks of `taskQueueType`. */
export async function taskQueueHasPollers(client: Client, taskQueue: string, taskQueueType: temporal.api.enums.v1.TaskQueueType): Promise<boolean> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType,
  });
  return (response.pollers ?? []).length > 0;
}

async function statusFromHistory(client: Client, workflowId: string, description: WorkflowExecutionDescription, ended: RunPhase | undefined): Promise<FlockRunStatus> {
  const memo = (description.memo ?? {}) as { flockName?: unknown; workflowVersion?: unknown; waitingFor?: unknown; budgetExceeded?: unknown };
  const shownName = description.typedSearchAttributes.get(FLOCK_SEARCH_ATTRIBUTES.FlockName);
  const flockName = typeof shownName === 'string' ? shownName : typeof memo.flockName === 'string' ? memo.flockName : '';
  let stepsDone = 0;
  let steps: StepSummary[] = [];
  const usages: Array<TokenUsage | undefined> = [];
  let pauseRequested = false;
  let result: RunResult | undefined;
  for await (const event of readRunEvents(client, workflowId)) {
    if (event.type === 'step-completed') {
      stepsDone = Math.max(stepsDone, event.record.step + 1);
      steps.push(stepSummary(event.record));
      if (steps.length > RECENT_STEPS) steps.shift();
      usages.push(event.record.usage, event.record.routingUsage);
    } else if (event.type === 'paused') pauseRequested = true;
    else if (event.type === 'resumed') pauseRequested = false;
    else if (event.type === 'run-completed') result = event.result;
  }
  let usage = sumUsage(usages);
  if (result) {
    stepsDone = result.stepCount;
    steps = result.steps;
    usage = result.usage;
  }
  const shownPhase = description.typedSearchAttributes.get(FLOCK_SEARCH_ATTRIBUTES.FlockRunPhase);
  const shownAgent = description.typedSearchAttributes.get(FLOCK_SEARCH_ATTRIBUTES.CurrentAgent);
  const status: FlockRunStatus = {
    runId: result?.runId ?? (flockName && workflowId.startsWith(`${flockName}-`) ? workflowId.slice(flockName.length + 1) : workflowId),
    flockName: result?.flockName ?? flockName,
    phase: ended ?? (typeof shownPhase === 'string' && OPEN_PHASES.has(shownPhase) ? (shownPhase as RunPhase) : 'running'),
    currentAgent: ended ? null : typeof shownAgent === 'string' ? shownAgent : null,
    stepsDone,
    steps,
    workflowVersion: typeof memo.workflowVersion === 'number' ? memo.workflowVersion : 2,
  };
  if (usage) status.usage = usage;
  if (!ended && isWaitingFor(memo.waitingFor)) status.waitingFor = memo.waitingFor;
  if (!ended && pauseRequested) status.pauseRequested = true;
  if (!ended && isBudgetCrossing(memo.budgetExceeded)) status.budgetExceeded = memo.budgetExceeded;
  return status;
}

interface StepFollower {
  /** `true` once the run completed: wait until every step was delivered, then throw what the callback threw; `false`: just stop. */
  stop(drain: boolean, result?: RunResult): Promise<void>;
}

/**
 * Feeds `onStep` from the run's events as steps complete (a history
 * long-poll across continue-as-new, no query polling), each step once. A
 * callback that throws is not called again and does not change the run (as
 * locally): `stop(true)`, once the run has completed, waits until every step
 * was delivered and then throws an `OnStepError` carrying the result;
 * `stop(false)` just stops.
 */
function followSteps(clients: FlockClientSource, workflowId: string, runId: string | undefined, onStep: (step: StepRecord) => void): StepFollower {
  const abort = new AbortController();
  let failure: { step: StepRecord; error: unknown } | undefined;
  let readError: unknown;
  const done = (async () => {
    try {
      const events = clients.iterate((client) => readRunEvents(client, workflowId, { follow: true, signal: abort.signal, ...(runId ? { runId } : {}) }));
      for await (const event of events) {
        if (event.type !== 'step-completed') continue;
        try {
          onStep(event.record);
        } catch (error) {
          failure = { step: event.record, error };
          return;
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) readError = error;
    }
  })();
  return {
    async stop(drain: boolean, result?: RunResult): Promise<void> {
      if (!drain) abort.abort();
      await done;
      if (!drain) return;
      if (failure) throw new OnStepError(failure.step.step, failure.step.agent, failure.error, result);
      if (readError !== undefined) throw readError;
    },
  };
}
