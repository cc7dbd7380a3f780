import type { BudgetSpec, FlockDefinition } from '@flock-ts/config';
import { FLOCK_SEARCH_ATTRIBUTES, type FlockRunPhase, type FlockRunResult, type FlockRunStatus } from '@flock-ts/contracts';
import type { Flock, StepRecord, StepSummary, TokenUsage } from '@flock-ts/core';
import {
  isBudgetCrossing,
  isWaitingFor,
  type BudgetCrossing,
  type FlockResponse,
  type FlockResponseReceipt,
  type FlockRunEvent,
  type ResumeRequest,
  type RunPhase,
  type WaitingFor,
} from '@flock-ts/engine';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { Client, Connection, type WorkflowExecutionDescription, type WorkflowExecutionInfo, type WorkflowExecutionStatusName } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { temporal } from '@temporalio/proto';
import type { ResolvedConnection } from './connection';
import { ensureFlockSearchAttributes } from './flock-search-attributes';
import { readRunEvents } from './run-events';
import { normalizeRunResult } from './run-results';
import { readStepLedger, type StepLedgerOptions } from './step-ledger';
import { TemporalFlockRun, fixedClientSource, queryFlockRunStatus, taskQueueHasPollers } from './temporal-run';
import {
  buildFlockWorkflowStart,
  connectFlockClient,
  flockRunWebUiUrl,
  startFlockWorkflow,
  toFlockRunFailedError,
  type FlockRunHandleInfo,
  type FlockStartRequest,
} from './run-start';

/** Phase of a run, as Flock sees it; closed runs Temporal ended by itself get their own phases. */
export type FlockRunViewPhase = FlockRunPhase | 'terminated' | 'timed-out' | 'continued-as-new' | 'unknown';

/** One run as `status()` reports it. */
export interface FlockRunView {
  workflowId: string;
  runId: string;
  flockName?: string;
  startAgent?: string;
  sessionId?: string;
  phase: FlockRunViewPhase;
  /** Temporal's own execution status (`RUNNING`, `COMPLETED`, `FAILED`, ...). */
  executionStatus: WorkflowExecutionStatusName;
  /** The agent being evaluated, `null` when none is (or unknown). */
  currentAgent: string | null;
  /** Finished steps of the whole run (across continue-as-new), when known. */
  stepsDone?: number;
  /** The latest finished steps, oldest first, without their data (empty when no source could tell); `steps()` reads them whole. */
  steps: StepSummary[];
  /** Where the steps came from: the live status query, the completed result, or nothing but describe(). */
  source: 'query' | 'result' | 'describe';
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  workflowVersion?: number;
  webUiUrl?: string;
  /**
   * What the run waits for from people while `phase` is `waiting` (and
   * while paused during a wait): a human agent's input or an approval.
   */
  waitingFor?: WaitingFor;
  /** Set once a pause was asked for: the run stops at the next step boundary until resumed. */
  pauseRequested?: boolean;
  /** Tokens and model calls used so far (routing decisions included), when the run or its result says. */
  usage?: TokenUsage;
  /** The run's `budget` (the flock's, with the limits people raised on resuming), when it has one and the status query says. */
  budget?: BudgetSpec;
  /** Set while the run is paused by its budget (`onExceeded: 'pause'`): the agent, the limit, whose budget, and the figures. */
  budgetExceeded?: BudgetCrossing;
  /** What each agent with a `budget` of its own spent so far, when the status query says. */
  agentUsage?: Record<string, TokenUsage>;
  /**
   * What the run waits for that may never come: an agent step scheduled for
   * a while on a task queue no worker polls (set only while that holds).
   */
  stalled?: FlockRunStall;
  /** `stalled` in words: `no worker polls task queue X (agent Y scheduled 12 s ago)`. */
  warning?: string;
}

/** A step scheduled on a task queue that no worker polls (see {@link FlockRunView.stalled}). */
export interface FlockRunStall {
  /** The task queue nobody polls. */
  taskQueue: string;
  /** `activity` for an agent step, `workflow` when not even the run's workflow task is picked up. */
  kind: 'activity' | 'workflow';
  /** The agent whose step waits, when known. */
  agent?: string;
  /** Seconds since the step was scheduled. */
  scheduledSecondsAgo?: number;
}

/** One run as `list()` reports it (visibility data only: no query, no history). */
export interface FlockRunSummary {
  workflowId: string;
  runId: string;
  workflowType: string;
  flockName?: string;
  startAgent?: string;
  sessionId?: string;
  currentAgent?: string;
  phase: FlockRunViewPhase;
  executionStatus: WorkflowExecutionStatusName;
  taskQueue: string;
  startTime: string;
  closeTime?: string;
  webUiUrl?: string;
  /**
   * Set when this client cannot read the run's memo: `encrypted: key <id>`
   * when it lacks the key, else why (`not encrypted`, ...). The run is listed
   * all the same, from its search attributes.
   */
  unreadable?: string;
  /** The key id this client lacks, when that is why it is {@link unreadable}. */
  encryptedWithKey?: string;
}

/** Filters of {@link FlockRunsClient.list}. */
export interface FlockRunsFilter {
  flockName?: string;
  sessionId?: string;
  taskQueue?: string;
  /** At most this many runs, newest first (default 20). */
  limit?: number;
}

/** A step scheduled (not started) for longer than this makes `status()` check that a worker polls its task queue. */
export const UNPICKED_STEP_CHECK_AFTER_MS = 5_000;

/**
 * A visibility query over the Flock search attributes. Single quotes are
 * doubled. Values holding a backslash or a double quote (which visibility
 * stores do not match reliably, the dev server's SQLite least of all) are
 * narrowed by their prefix before that character only, so callers must
 * compare exactly afterwards, as {@link FlockRunsClient.list} does.
 *
 * @example
 * flockRunsQuery({ flockName: 'docs', sessionId: "it's" }) // "FlockName = 'docs' AND SessionId = 'it''s'"
 */
export function flockRunsQuery(filter: Pick<FlockRunsFilter, 'flockName' | 'sessionId' | 'taskQueue'> = {}): string {
  const clauses: string[] = [];
  // every run that carries the Flock name is a Flock run, whatever its workflow version
  clauses.push(filter.flockName !== undefined ? keywordClause('FlockName', filter.flockName) : 'FlockName IS NOT NULL');
  if (filter.sessionId !== undefined) clauses.push(keywordClause('SessionId', filter.sessionId));
  if (filter.taskQueue !== undefined) clauses.push(keywordClause('TaskQueue', filter.taskQueue));
  return clauses.join(' AND ');
}

/** A string literal of Temporal's visibility query language, for values without a backslash or a double quote. */
export function quoteVisibilityValue(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function keywordClause(key: string, value: string): string {
  const unsafe = value.search(/[\\"]/);
  if (unsafe === -1) return `${key} = ${quoteVisibilityValue(value)}`;
  const prefix = value.slice(0, unsafe);
  return prefix ? `${key} STARTS_WITH ${quoteVisibilityValue(prefix)}` : `${key} IS NOT NULL`;
}

function matchesFilter(run: FlockRunSummary, filter: FlockRunsFilter): boolean {
  return (
    (filter.flockName === undefined || run.flockName === filter.flockName) &&
    (filter.sessionId === undefined || run.sessionId === filter.sessionId) &&
    (filter.taskQueue === undefined || run.taskQueue === filter.taskQueue)
  );
}

const PHASES: Record<WorkflowExecutionStatusName, FlockRunViewPhase> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed-out',
  CONTINUED_AS_NEW: 'continued-as-new',
  PAUSED: 'running',
  UNSPECIFIED: 'unknown',
  UNKNOWN: 'unknown',
};

/** The Flock phase of a Temporal execution status. */
export function phaseOfExecutionStatus(status: WorkflowExecutionStatusName): FlockRunViewPhase {
  return PHASES[status] ?? 'unknown';
}

function keyword(info: Pick<WorkflowExecutionInfo, 'typedSearchAttributes'>, key: keyof typeof FLOCK_SEARCH_ATTRIBUTES): string | undefined {
  const value = info.typedSearchAttributes.get(FLOCK_SEARCH_ATTRIBUTES[key]);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Client-side glue for starting and following Flock runs without hosting
 * their code: what `flockctl` uses. Runs start exactly as `flock.run()`
 * with `enableTemporal` starts them (same workflow id, memo and search
 * attributes), so either can follow the other's runs.
 *
 * @example
 * const runs = await FlockRunsClient.connect(resolveConnection({ serverUrl: 'temporal:7233' }));
 * const { workflowId } = await runs.start(flock, { startAgent: 'reader', input: { folder: './docs' } });
 * const result = await runs.result(workflowId);
 * await runs.close();
 */
export class FlockRunsClient {
  private constructor(
    /** The underlying Temporal client, for what this class does not cover. */
    readonly client: Client,
    readonly connection: ResolvedConnection,
  ) {}

  /** Connects to Temporal with the Flock data converter. */
  static async connect(connection: ResolvedConnection): Promise<FlockRunsClient> {
    return new FlockRunsClient(await connectFlockClient(connection), connection);
  }

  /**
   * Starts a run and returns at once; the search attributes get registered
   * on the namespace first when missing.
   */
  async start(flock: Flock | FlockDefinition, request: FlockStartRequest): Promise<FlockRunHandleInfo> {
    const definition = isFlock(flock) ? flock.toDefinition() : flock;
    const start = buildFlockWorkflowStart(definition, request);
    // connectFlockClient made the client on a Connection, so the operator API is there
    await ensureFlockSearchAttributes(this.client.connection as Connection, this.connection);
    const handle = await startFlockWorkflow(this.client, start);
    return {
      workflowId: start.workflowId,
      runId: handle.firstExecutionRunId,
      namespace: this.connection.namespace,
      taskQueue: start.options.taskQueue,
      webUiUrl: flockRunWebUiUrl(this.connection, start.workflowId, handle.firstExecutionRunId),
    };
  }

  /**
   * Waits for the run's result (following its continue-as-new chain); a
   * failed, cancelled or terminated run throws `FlockRunFailedError`.
   */
  async result(workflowId: string): Promise<FlockRunResult> {
    try {
      return normalizeRunResult(await this.client.workflow.getHandle(workflowId).result());
    } catch (error) {
      throw toFlockRunFailedError(error, workflowId, flockRunWebUiUrl(this.connection, workflowId));
    }
  }

  /**
   * The run's phase, current agent and steps: from the workflow's status
   * query while it runs (or whenever a worker answers), from the result of a
   * completed run, and from describe() alone when nothing else can tell.
   */
  async status(workflowId: string): Promise<FlockRunView> {
    const handle = this.client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    const memo = (description.memo ?? {}) as { flockName?: unknown; workflowVersion?: unknown; waitingFor?: unknown; budgetExceeded?: unknown };
    const running = description.status.name === 'RUNNING';
    const shownPhase = keyword(description, 'FlockRunPhase');
    const view: FlockRunView = {
      workflowId,
      runId: description.runId,
      flockName: keyword(description, 'FlockName') ?? (typeof memo.flockName === 'string' ? memo.flockName : undefined),
      startAgent: keyword(description, 'StartAgent'),
      sessionId: keyword(description, 'SessionId'),
      // a running run's own phase (waiting, paused) is in its search attributes
      phase: running && (shownPhase === 'waiting' || shownPhase === 'paused') ? shownPhase : phaseOfExecutionStatus(description.status.name),
      executionStatus: description.status.name,
      currentAgent: running ? (keyword(description, 'CurrentAgent') ?? null) : null,
      steps: [],
      source: 'describe',
      taskQueue: description.taskQueue,
      startTime: description.startTime.toISOString(),
      closeTime: description.closeTime?.toISOString(),
      workflowVersion: typeof memo.workflowVersion === 'number' ? memo.workflowVersion : undefined,
      webUiUrl: flockRunWebUiUrl(this.connection, workflowId, description.runId),
    };
    // what the run waits for from people is in its memo while it waits
    if (running && isWaitingFor(memo.waitingFor)) view.waitingFor = memo.waitingFor;
    // and what a budget pause crossed, while it lasts
    if (running && isBudgetCrossing(memo.budgetExceeded)) view.budgetExceeded = memo.budgetExceeded;
    if (description.status.name === 'COMPLETED') {
      const result = await this.result(workflowId).catch(() => undefined);
      if (result) {
        const done: FlockRunView = { ...view, steps: result.steps, stepsDone: result.stepCount, flockName: view.flockName ?? result.flockName, source: 'result' };
        if (result.usage) done.usage = result.usage;
        return done;
      }
    }
    const queried = await this.queryStatus(handle, view);
    if (!running) return queried;
    const stalled = await this.unpolledWait(description, queried).catch(() => undefined);
    return stalled ? { ...queried, stalled, warning: describeStall(stalled) } : queried;
  }

  private async queryStatus(handle: ReturnType<Client['workflow']['getHandle']>, view: FlockRunView): Promise<FlockRunView> {
    const description = { status: { name: view.executionStatus } };
    try {
      const status = await queryFlockRunStatus(this.client, handle);
      const running = description.status.name === 'RUNNING';
      const { waitingFor: _memoWait, budgetExceeded: _memoCrossing, ...rest } = view;
      const queried: FlockRunView = {
        ...rest,
        // a closed execution's status is final even if the workflow had not yet recorded its own phase
        phase: running ? status.phase : view.phase,
        flockName: status.flockName,
        currentAgent: running ? status.currentAgent : null,
        steps: status.steps,
        stepsDone: status.stepsDone,
        workflowVersion: status.workflowVersion,
        source: 'query',
      };
      if (running && status.waitingFor) queried.waitingFor = status.waitingFor;
      if (running && status.pauseRequested) queried.pauseRequested = true;
      if (running && status.budgetExceeded) queried.budgetExceeded = status.budgetExceeded;
      if (status.usage) queried.usage = status.usage;
      if (status.budget) queried.budget = status.budget;
      if (status.agentUsage) queried.agentUsage = status.agentUsage;
      return queried;
    } catch {
      // no worker answered in time (or the run closed before its first task): describe() is all there is
      return view;
    }
  }

  /**
   * A running run's step that no worker will pick up: the oldest pending
   * activity still SCHEDULED (not started) for over
   * {@link UNPICKED_STEP_CHECK_AFTER_MS}, on a task queue without pollers;
   * or, when no worker answered the status query, a workflow task queue
   * without pollers.
   */
  private async unpolledWait(description: WorkflowExecutionDescription, view: FlockRunView): Promise<FlockRunStall | undefined> {
    const now = Date.now();
    const waiting = (description.raw.pendingActivities ?? [])
      .filter((activity) => activity.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED)
      .map((activity) => ({ activity, scheduledAt: optionalTsToMs(activity.scheduledTime) }))
      .filter(({ scheduledAt }) => scheduledAt !== undefined && now - scheduledAt > UNPICKED_STEP_CHECK_AFTER_MS)
      .sort((a, b) => (a.scheduledAt ?? 0) - (b.scheduledAt ?? 0));
    for (const { activity, scheduledAt } of waiting) {
      const taskQueue = activity.activityOptions?.taskQueue?.name || (await this.scheduledTaskQueue(description, activity.activityId ?? ''));
      if (!taskQueue || (await taskQueueHasPollers(this.client, taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY))) continue;
      return {
        taskQueue,
        kind: 'activity',
        ...(view.currentAgent ? { agent: view.currentAgent } : {}),
        scheduledSecondsAgo: Math.round((now - (scheduledAt ?? now)) / 1000),
      };
    }
    if (view.source === 'describe' && now - Date.parse(view.startTime) > UNPICKED_STEP_CHECK_AFTER_MS) {
      if (!(await taskQueueHasPollers(this.client, description.taskQueue, temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW))) {
        return { taskQueue: description.taskQueue, kind: 'workflow' };
      }
    }
    return undefined;
  }

  /** The task queue of a scheduled activity, from its ActivityTaskScheduled event (servers that do not report activity options). */
  private async scheduledTaskQueue(description: WorkflowExecutionDescription, activityId: string): Promise<string | undefined> {
    const history = await this.client.workflow.getHandle(description.workflowId, description.runId).fetchHistory();
    for (const event of [...(history.events ?? [])].reverse()) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled && scheduled.activityId === activityId) return scheduled.taskQueue?.name ?? undefined;
    }
    return undefined;
  }

  /**
   * The run's step ledger: every finished step, whole, oldest first, read
   * from its history across continue-as-new (`follow` waits for new steps
   * until the run ends).
   */
  steps(workflowId: string, options: StepLedgerOptions = {}): AsyncGenerator<StepRecord> {
    return readStepLedger(this.client, workflowId, options);
  }

  /** Flock runs, newest first, filtered by the `FlockName` and `SessionId` search attributes. */
  async list(filter: FlockRunsFilter = {}): Promise<FlockRunSummary[]> {
    const limit = filter.limit ?? 20;
    const runs: FlockRunSummary[] = [];
    if (limit <= 0) return runs;
    const query = flockRunsQuery(filter);
    let nextPageToken: Uint8Array | undefined;
    do {
      const response = await this.client.workflowService.listWorkflowExecutions({
        namespace: this.connection.namespace,
        query,
        pageSize: Math.min(limit, 1000),
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      for (const raw of response.executions ?? []) {
        const run = await this.summarizeRaw(raw);
        if (matchesFilter(run, filter)) runs.push(run);
        if (runs.length >= limit) return runs;
      }
      nextPageToken = response.nextPageToken?.length ? response.nextPageToken : undefined;
    } while (nextPageToken);
    return runs;
  }

  /**
   * One listed run; a memo this client cannot decode (a key it lacks, a
   * payload its strict codec refuses) marks the run instead of failing the list.
   */
  private async summarizeRaw(raw: temporal.api.workflow.v1.IWorkflowExecutionInfo): Promise<FlockRunSummary> {
    const converter = this.client.options.loadedDataConverter;
    try {
      return this.summarize(await executionInfoFromRaw(raw, converter, raw, this.connection.namespace));
    } catch (error) {
      const info = await executionInfoFromRaw({ ...raw, memo: null }, converter, raw, this.connection.namespace);
      return { ...this.summarize(info), ...unreadableMark(error) };
    }
  }

  /**
   * The run's events, in order, each once, from its first step (see
   * {@link readRunEvents}): `follow` (default true) waits for new ones until
   * the run's last; `text` (default true, with `follow`) adds the
   * `text-delta` events of running steps, live only.
   */
  events(workflowId: string, options: { follow?: boolean; text?: boolean; signal?: AbortSignal } = {}): AsyncIterable<FlockRunEvent> {
    const follow = options.follow ?? true;
    return readRunEvents(this.client, workflowId, {
      follow,
      text: follow && (options.text ?? true),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * Answers what the run waits for (`{ output }` for a human agent,
   * `{ approved, comment? }` for an approval; optional `step` and `by`).
   * A refused answer rejects with `InvalidResponseError` naming what does
   * not match; the run keeps waiting and nothing enters its history.
   */
  respond(workflowId: string, response: FlockResponse): Promise<FlockResponseReceipt> {
    return this.run(workflowId).send(response);
  }

  /** Pauses the run at the next step boundary; `InvalidRunCommandError` when it is already paused. */
  pause(workflowId: string, reason?: string): Promise<FlockRunStatus> {
    return this.run(workflowId).pause(reason);
  }

  /**
   * Resumes a paused run; `InvalidRunCommandError` when it is not paused. A
   * run paused by its budget needs `request.budget` with the crossed limit
   * above what was used (`status().budgetExceeded` says which and how much).
   */
  resume(workflowId: string, request?: ResumeRequest): Promise<FlockRunStatus> {
    return this.run(workflowId).resume(request);
  }

  /**
   * Cancels the run and waits for it to end (its running step stops first):
   * the phase it ended in (`cancelled`, or `completed` / `failed` when it
   * ended first), or `running` when it had not ended within `waitMs`
   * (default: until it ends), e.g. while no worker is up.
   */
  cancel(workflowId: string, options: { waitMs?: number } = {}): Promise<RunPhase> {
    return this.run(workflowId).cancel(options);
  }

  /** The handle of a run, on this client's connection (closing this client ends it). */
  run(workflowId: string): TemporalFlockRun {
    return new TemporalFlockRun(workflowId, fixedClientSource(this.client), { connection: this.connection });
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.client.connection.close();
  }

  private summarize(info: WorkflowExecutionInfo): FlockRunSummary {
    return {
      workflowId: info.workflowId,
      runId: info.runId,
      workflowType: info.type,
      flockName: keyword(info, 'FlockName'),
      startAgent: keyword(info, 'StartAgent'),
      sessionId: keyword(info, 'SessionId'),
      currentAgent: keyword(info, 'CurrentAgent'),
      phase: phaseOfExecutionStatus(info.status.name),
      executionStatus: info.status.name,
      taskQueue: info.taskQueue,
      startTime: info.startTime.toISOString(),
      closeTime: info.closeTime?.toISOString(),
      webUiUrl: flockRunWebUiUrl(this.connection, info.workflowId, info.runId),
    };
  }
}

/** `no worker polls task queue X (agent Y scheduled 12 s ago)`. */
export function describeStall(wait: FlockRunStall): string {
  if (wait.kind === 'workflow') return `no worker polls task queue ${wait.taskQueue} (the run's workflow tasks wait there)`;
  const what = [wait.agent ? `agent ${wait.agent}` : 'a step', wait.scheduledSecondsAgo !== undefined ? `scheduled ${wait.scheduledSecondsAgo} s ago` : 'scheduled'].join(' ');
  return `no worker polls task queue ${wait.taskQueue} (${what})`;
}

function unreadableMark(error: unknown): Pick<FlockRunSummary, 'unreadable' | 'encryptedWithKey'> {
  const e = error as { name?: string; code?: string; reason?: string; keyId?: string; message?: string };
  const keyMissing = e.reason === 'UNKNOWN_KEY' || e.code === 'UNKNOWN_KEY' || e.code === 'ENCRYPTED_PAYLOAD';
  if (keyMissing && e.keyId) return { unreadable: `encrypted: key ${e.keyId}`, encryptedWithKey: e.keyId };
  if (e.reason === 'NOT_ENCRYPTED') return { unreadable: 'not encrypted' };
  if (e.reason === 'DECRYPTION_FAILED' && e.keyId) return { unreadable: `encrypted: key ${e.keyId}, which this client's key of that id does not open` };
  if (keyMissing) return { unreadable: 'encoded: no payload codec' };
  return { unreadable: `unreadable: ${e.reason ?? e.code ?? e.name ?? 'error'}` };
}

function isFlock(value: Flock | FlockDefinition): value is Flock {
  return typeof (value as Flock).toDefinition === 'function';
}
