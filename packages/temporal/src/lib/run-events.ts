import type { StepHeartbeatDetails } from '@flock-ts/activities';
import type { HandoffSpec } from '@flock-ts/config';
import {
  ACTIVITY_TYPES,
  FLOCK_UPDATES,
  LOCAL_ACTIVITY_MARKER_NAME,
  localStepEchoOf,
  withoutLocalStepEcho,
  type EvaluateAgentOutput,
  type FinishStepInput,
  type ModelCallInput,
  type ModelCallOutcome,
  type StepRecordV1,
  type ToolCallInput,
} from '@flock-ts/contracts';
import {
  budgetPauseReason,
  isBudgetCrossing,
  isWaitingFor,
  stepRecordOf,
  sumUsage,
  waitWithoutOutput,
  type FlockRunEvent,
  type FlockResponse,
  type StepRecord,
  type StepRequest,
  type StepResult,
  type TokenUsage,
  type WaitingFor,
} from '@flock-ts/engine';
import { WorkflowFailedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  CancelledFailure,
  RetryState,
  TerminatedFailure,
  TimeoutFailure,
  TimeoutType,
  decodeRetryState,
  type LoadedDataConverter,
  type SerializationContext,
} from '@temporalio/common';
import { decodeArrayFromPayloads, decodeFromPayloadsAtIndex, decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { normalizeRunResult } from './run-results';
import { flockRunClosure } from './run-start';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payload = temporal.api.common.v1.IPayload;
const { EventType } = temporal.api.enums.v1;

/** How often a follower reads the running step's heartbeat for new text (describe()). */
export const TEXT_POLL_INTERVAL_MS = 250;

/** The activities whose heartbeats carry a step's streamed text: a whole step, or one model call of a step recorded call by call. */
const TEXT_ACTIVITIES: ReadonlySet<string> = new Set([ACTIVITY_TYPES.runAgentStep, ACTIVITY_TYPES.callAgentModel]);

/** Events read ahead of a slow consumer before reading more history. */
const READ_AHEAD = 256;

/** Options of {@link readRunEvents}. */
export interface ReadRunEventsOptions {
  /**
   * Keep reading while the run goes on, until its last event (history
   * long-poll; no status polling). Default: stop at the end of the history
   * recorded so far.
   */
  follow?: boolean;
  /** Any run id of the chain (default: the latest run of the workflow id); the events start at the chain's first run. */
  runId?: string;
  /** Stops reading: the iteration ends (the run goes on). */
  signal?: AbortSignal;
  /**
   * With `follow`, also yield `text-delta` events while a step runs: the
   * text it streams, read from its activity heartbeat (describe() every
   * {@link TEXT_POLL_INTERVAL_MS} ms while, and only while, a step runs).
   * Best effort and live only; nothing of it is in the run's history.
   * Default false.
   */
  text?: boolean;
  /** Interval of the text reads (default {@link TEXT_POLL_INTERVAL_MS}). */
  textPollMs?: number;
}

/**
 * The events of a Flock run on Temporal, in order, each once, read from its
 * history across its continue-as-new chain: `step-started` (a step's
 * activity scheduled), `step-completed` (the whole step, as the step ledger
 * has it; a step recorded call by call, `durability: 'call'`, starts when
 * its first `callAgentModel` is scheduled and completes with its last
 * activity, a `callAgentModel` that carries the step's result or a
 * `finishAgentStep`, its usage the sum of its model calls' usage; a step
 * of a `local: true` agent is one `MarkerRecorded` event
 * written when it ended, so its `step-started` comes only then, right
 * before its `step-completed`, and it has no `text-delta`s; local steps
 * recorded call by call are not read), `waiting` (the
 * run's memo names what it waits for), `response` (an accepted
 * `flock.respond` update), `paused` / `resumed` (accepted
 * `flock.pause` / `flock.resume` updates; a budget pause, from the memo
 * the run writes when it pauses: its reason names the agent and the
 * figures), and last `run-completed` (the
 * result) or `run-failed` (code, message, agent; a cancelled run:
 * `CANCELLED`, terminated: `TERMINATED`, timed out: `TIMED_OUT`).
 *
 * With `follow` it long-polls the history for new events until the run
 * closes; with `text` too, it yields `text-delta` events of the running
 * step from its heartbeat details (the activity heartbeats the text it
 * streams: zero history). Deltas are best effort: they arrive about
 * 250-500 ms after the step streamed them, a step's last deltas may be
 * missed when it ends between two reads, a follower that attaches while a
 * step runs first gets that step's text so far (up to its last 16 Ki
 * characters), and a retried step streams again from its start. A step
 * recorded call by call streams each model call's text after the previous
 * one's, the same text a step run as one activity streams (the deltas of
 * all its model calls in order, no separator between them; nothing while
 * its tools run); a follower that attaches during its second model call
 * gets that call's text so far, not the first call's, and a retried model
 * call streams again from the call's start. History stays bounded whatever
 * a step streams.
 *
 * @example
 * for await (const event of readRunEvents(client, workflowId, { follow: true, text: true })) console.log(event.type);
 */
export async function* readRunEvents(client: Client, workflowId: string, options: ReadRunEventsOptions = {}): AsyncGenerator<FlockRunEvent> {
  if (options.signal?.aborted) return;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const channel = new EventChannel<FlockRunEvent>(stop.signal);
  const tracker = new StepTextTracker();
  const context: SerializationContext = { type: 'workflow', namespace: client.options.namespace, workflowId };
  const decoder = new RunHistoryDecoder(client.options.loadedDataConverter, context, tracker);
  const reading = readHistory(client, workflowId, options, decoder, channel, stop.signal).then(
    () => channel.end(),
    (error: unknown) => channel.end(stop.signal.aborted ? undefined : error),
  );
  const polling = options.follow && options.text ? pollText(client, workflowId, tracker, channel, stop.signal, options.textPollMs ?? TEXT_POLL_INTERVAL_MS) : undefined;
  try {
    yield* channel.drain();
  } finally {
    stop.abort();
    options.signal?.removeEventListener('abort', onAbort);
    await reading;
    await polling;
  }
}

async function readHistory(
  client: Client,
  workflowId: string,
  options: ReadRunEventsOptions,
  decoder: RunHistoryDecoder,
  channel: EventChannel<FlockRunEvent>,
  signal: AbortSignal,
): Promise<void> {
  let runId: string | undefined = await firstRunOf(client, workflowId, options.runId, signal);
  while (runId && !signal.aborted) {
    decoder.beginRun();
    for await (const event of historyOf(client, workflowId, runId, options.follow === true, signal)) {
      for (const decoded of await decoder.decode(event)) channel.push(decoded);
      if (channel.size > READ_AHEAD) await channel.room(READ_AHEAD / 2);
      if (signal.aborted) return;
    }
    runId = decoder.nextRunId;
  }
}

/** While a step runs, reads its heartbeat details and yields the text it streamed since the last read. */
async function pollText(
  client: Client,
  workflowId: string,
  tracker: StepTextTracker,
  channel: EventChannel<FlockRunEvent>,
  signal: AbortSignal,
  intervalMs: number,
): Promise<void> {
  const converter = client.options.loadedDataConverter;
  while (!signal.aborted) {
    if (!tracker.hasOpenSteps()) {
      await tracker.whenOpen(signal);
      continue;
    }
    try {
      const description = await abortable(client, signal, () =>
        client.workflowService.describeWorkflowExecution({ namespace: client.options.namespace, execution: { workflowId } }),
      );
      for (const activity of description.pendingActivities ?? []) {
        if (!TEXT_ACTIVITIES.has(activity.activityType?.name ?? '') || !activity.heartbeatDetails?.payloads?.length) continue;
        const details = await decodeFromPayloadsAtIndex<unknown>(converter, 0, activity.heartbeatDetails.payloads).catch(() => undefined);
        const delta = tracker.update(details, activity.activityId ?? undefined);
        if (delta) channel.push(delta);
      }
    } catch {
      // best effort: the next read tries again (the history reader reports real failures)
    }
    await sleep(intervalMs, signal);
  }
}

/**
 * The text of the running steps as their heartbeats report it: what a
 * follower has yielded of each, so that each read yields only the new
 * suffix, and nothing once the step closed. A step's text may come from
 * several activities one after the other (the model calls of a step
 * recorded call by call), each counting its text from zero: the tracker
 * follows the latest one.
 */
export class StepTextTracker {
  private readonly open = new Map<number, { agent: string; stream?: string; attempt: number; length: number }>();
  private wake: (() => void) | undefined;

  /** A step started: its text may come. */
  openStep(step: number, agent: string): void {
    this.open.set(step, { agent, attempt: 0, length: 0 });
    this.wake?.();
  }

  /** A step closed: none of its text is yielded any more. */
  closeStep(step: number): void {
    this.open.delete(step);
  }

  hasOpenSteps(): boolean {
    return this.open.size > 0;
  }

  /** Resolves once a step is open (or `signal` aborts). */
  whenOpen(signal: AbortSignal): Promise<void> {
    if (this.open.size > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.wake = undefined;
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * The `text-delta` of a heartbeat's details: the text beyond what was
   * yielded for its step (all of the tail when more came than the tail
   * holds), `undefined` when nothing is new, the step is not open, or the
   * details are not a step's. A later attempt starts again from nothing,
   * and so does another `stream` (the id of the activity that heartbeats:
   * a step's next model call); the caller reads a step's activities in the
   * order they run, never an earlier one after a later one.
   */
  update(details: unknown, stream?: string): Extract<FlockRunEvent, { type: 'text-delta' }> | undefined {
    if (!isStepDetails(details)) return undefined;
    const seen = this.open.get(details.step);
    if (!seen || seen.agent !== details.agent) return undefined;
    if (stream !== undefined && stream !== seen.stream) {
      seen.stream = stream;
      seen.attempt = 0;
      seen.length = 0;
    }
    const attempt = details.attempt ?? 1;
    if (attempt < seen.attempt) return undefined;
    if (attempt > seen.attempt) {
      seen.attempt = attempt;
      seen.length = 0;
    }
    const fresh = details.text.length - seen.length;
    if (fresh <= 0) return undefined;
    const { tail } = details.text;
    let delta = fresh >= tail.length ? tail : tail.slice(tail.length - fresh);
    // a tail cut inside a surrogate pair starts with half a character
    if (fresh > tail.length && /^[\uDC00-\uDFFF]/.test(delta)) delta = delta.slice(1);
    seen.length = details.text.length;
    return delta ? { type: 'text-delta', step: details.step, agent: details.agent, delta } : undefined;
  }
}

function isStepDetails(value: unknown): value is StepHeartbeatDetails {
  const details = value as Partial<StepHeartbeatDetails> | null | undefined;
  return (
    typeof details === 'object' &&
    details !== null &&
    typeof details.step === 'number' &&
    typeof details.agent === 'string' &&
    typeof details.text?.length === 'number' &&
    typeof details.text.tail === 'string'
  );
}

/** A scheduled activity the reader waits for: a whole step (v2, v1), or one activity of a step recorded call by call. */
type ScheduledStep =
  { kind: 'v2' | 'v1'; step: number; agent: string; request: unknown } | { kind: 'call'; activity: CallActivity; step: number; agent: string; inputs?: Record<string, unknown> };

type CallActivity = typeof ACTIVITY_TYPES.callAgentModel | typeof ACTIVITY_TYPES.callAgentTool | typeof ACTIVITY_TYPES.finishAgentStep;

const CALL_ACTIVITIES: ReadonlySet<string> = new Set<CallActivity>([ACTIVITY_TYPES.callAgentModel, ACTIVITY_TYPES.callAgentTool, ACTIVITY_TYPES.finishAgentStep]);

/** A step recorded call by call, from its first model call on: its request, and the usage of each model call that completed. */
interface CallStep {
  request: StepRequest;
  usages: Array<TokenUsage | undefined>;
}

/**
 * Turns the history events of a run's chain into `FlockRunEvent`s, one run
 * after the other (call {@link beginRun} before each): the state between
 * events (scheduled steps, the wait being answered, the step count of v1
 * runs) lives here. Payloads are decoded with the client's data converter.
 */
export class RunHistoryDecoder {
  /** The next run of the chain, once this one continued as new. */
  nextRunId: string | undefined;
  /** Set once the run's last event (`run-completed` or `run-failed`) was decoded. */
  ended = false;
  private scheduled = new Map<string, ScheduledStep>();
  private callSteps = new Map<number, CallStep>();
  private lastWait: WaitingFor | undefined;
  private v1Steps = 0;
  private startInput: Payload[] | undefined;
  private handoffs: Promise<Map<string, HandoffSpec | undefined>> | undefined;

  constructor(
    private readonly converter: LoadedDataConverter,
    private readonly context?: SerializationContext,
    private readonly tracker?: StepTextTracker,
  ) {}

  /** Starts the next run of the chain (event ids start again). */
  beginRun(): void {
    this.nextRunId = undefined;
    this.scheduled = new Map();
    this.callSteps = new Map();
    this.startInput = undefined;
    this.handoffs = undefined;
  }

  /** The run events one history event makes (most make none). */
  async decode(event: HistoryEvent): Promise<FlockRunEvent[]> {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        this.startInput = event.workflowExecutionStartedEventAttributes?.input?.payloads ?? undefined;
        return [];
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        return this.scheduledStep(event);
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        return this.completedStep(event);
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
        return this.closedStep(event.activityTaskFailedEventAttributes?.scheduledEventId);
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
        return this.closedStep(event.activityTaskTimedOutEventAttributes?.scheduledEventId);
      case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
        return this.closedStep(event.activityTaskCanceledEventAttributes?.scheduledEventId);
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        return this.localStep(event);
      case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
        return this.memoChanged(event);
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        return this.accepted(event);
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        this.nextRunId = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
        return [];
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        return [await this.closed(event)];
      default:
        return [];
    }
  }

  private async scheduledStep(event: HistoryEvent): Promise<FlockRunEvent[]> {
    const attributes = event.activityTaskScheduledEventAttributes;
    const activityType = attributes?.activityType?.name ?? '';
    if (CALL_ACTIVITIES.has(activityType)) return this.scheduledCall(String(event.eventId), activityType as CallActivity, attributes?.input?.payloads);
    if (activityType !== ACTIVITY_TYPES.runAgentStep && activityType !== ACTIVITY_TYPES.evaluateAgent) return [];
    const request = await decodeFromPayloadsAtIndex<unknown>(this.converter, 0, attributes?.input?.payloads, this.context);
    const scheduled: ScheduledStep =
      activityType === ACTIVITY_TYPES.runAgentStep
        ? { kind: 'v2', step: (request as StepRequest).step, agent: (request as StepRequest).agent, request }
        : { kind: 'v1', step: this.v1Steps, agent: (request as { agentName: string }).agentName, request };
    this.scheduled.set(String(event.eventId), scheduled);
    this.tracker?.openStep(scheduled.step, scheduled.agent);
    return [{ type: 'step-started', step: scheduled.step, agent: scheduled.agent }];
  }

  /**
   * An activity of a step recorded call by call: the step starts with its
   * first model call (the one without a conversation, whose input is the
   * whole request); its other calls only join it.
   */
  private async scheduledCall(eventId: string, activity: CallActivity, payloads: Payload[] | null | undefined): Promise<FlockRunEvent[]> {
    const input = await decodeFromPayloadsAtIndex<ModelCallInput | ToolCallInput | FinishStepInput>(this.converter, 0, payloads, this.context);
    const { step, agent } = input.step;
    const inputs = activity === ACTIVITY_TYPES.finishAgentStep ? { inputs: (input as FinishStepInput).step.inputs } : {};
    this.scheduled.set(eventId, { kind: 'call', activity, step, agent, ...inputs });
    if (activity !== ACTIVITY_TYPES.callAgentModel || (input as ModelCallInput).conversation !== undefined) return [];
    this.callSteps.set(step, { request: input.step as StepRequest, usages: [] });
    this.tracker?.openStep(step, agent);
    return [{ type: 'step-started', step, agent }];
  }

  private async completedStep(event: HistoryEvent): Promise<FlockRunEvent[]> {
    const attributes = event.activityTaskCompletedEventAttributes;
    const origin = this.takeScheduled(attributes?.scheduledEventId);
    if (!origin) return [];
    if (origin.kind !== 'call') this.tracker?.closeStep(origin.step);
    const result = await decodeFromPayloadsAtIndex<unknown>(this.converter, 0, attributes?.result?.payloads, this.context);
    if (origin.kind === 'call') return this.completedCall(origin, result);
    let record: StepRecord;
    if (origin.kind === 'v2') {
      record = toRecord(origin.request as StepRequest, result as StepResult, (result as StepResult).nextAgent === undefined ? await this.handoffsOfRun() : new Map());
    } else {
      record = { step: origin.step, ...((result as EvaluateAgentOutput).record as StepRecordV1) };
      this.v1Steps++;
    }
    return [{ type: 'step-completed', record }];
  }

  /**
   * A completed activity of a step recorded call by call: a model call adds
   * its usage; the step completes with a model call whose outcome carries
   * the step's result, or with `finishAgentStep`. Its record has the first
   * call's inputs and, as usage, the sum of its model calls' usage (the
   * results in history carry a call's usage only; the workflow sets their
   * sum as the usage of the step it applies).
   */
  private async completedCall(origin: Extract<ScheduledStep, { kind: 'call' }>, result: unknown): Promise<FlockRunEvent[]> {
    const call = this.callSteps.get(origin.step);
    let final: StepResult | undefined;
    if (origin.activity === ACTIVITY_TYPES.callAgentModel) {
      const outcome = result as ModelCallOutcome;
      call?.usages.push(outcome.usage);
      if (outcome.kind === 'output' && outcome.result) final = outcome.result;
    } else if (origin.activity === ACTIVITY_TYPES.finishAgentStep) {
      final = result as StepResult;
    }
    if (!final) return [];
    this.callSteps.delete(origin.step);
    this.tracker?.closeStep(origin.step);
    // without its first call (not expected), the step is what its last activity tells
    const request = call?.request ?? ({ step: origin.step, agent: origin.agent, inputs: origin.inputs ?? {} } as StepRequest);
    const { usage: lastUsage, ...rest } = final;
    const usage = call ? sumUsage(call.usages) : lastUsage;
    const stepResult: StepResult = usage ? { ...rest, usage } : rest;
    const record = toRecord(request, stepResult, stepResult.nextAgent === undefined ? await this.handoffsOfRun() : new Map());
    return [{ type: 'step-completed', record }];
  }

  /**
   * A local agent step: a local activity's marker, with the step's result
   * and the `LocalStepEcho` of its request (the marker has no input).
   * It is written once the step ended: its `step-started` comes with its
   * `step-completed`. A failed one (the marker's failure) makes no event,
   * like a failed scheduled step. The markers of a local step recorded call
   * by call make no events: a marker has no input, and those activities'
   * results echo no step.
   */
  private async localStep(event: HistoryEvent): Promise<FlockRunEvent[]> {
    const attributes = event.markerRecordedEventAttributes;
    if (attributes?.markerName !== LOCAL_ACTIVITY_MARKER_NAME || attributes.failure) return [];
    const activityType = localActivityType(attributes.details?.['data']?.payloads?.[0]);
    if (activityType !== undefined && activityType !== ACTIVITY_TYPES.runAgentStep) return [];
    const result = await decodeFromPayloadsAtIndex<unknown>(this.converter, 0, attributes.details?.['result']?.payloads, this.context);
    const echo = localStepEchoOf(result);
    if (!echo) return [];
    const stepResult = withoutLocalStepEcho(result) as StepResult;
    const request = { step: echo.step, agent: echo.agent, inputs: echo.inputs } as StepRequest;
    const record = toRecord(request, stepResult, stepResult.nextAgent === undefined ? await this.handoffsOfRun() : new Map());
    return [
      { type: 'step-started', step: echo.step, agent: echo.agent },
      { type: 'step-completed', record },
    ];
  }

  /**
   * A step that failed, timed out or was cancelled: no event of its own (the
   * run's end tells), and no more text. For a step recorded call by call, any
   * of its activities that failed ends its text; what it spent so far stays,
   * should the workflow go on with the step.
   */
  private closedStep(scheduledEventId: unknown): FlockRunEvent[] {
    const origin = this.takeScheduled(scheduledEventId);
    if (origin) this.tracker?.closeStep(origin.step);
    return [];
  }

  private takeScheduled(scheduledEventId: unknown): ScheduledStep | undefined {
    const key = String(scheduledEventId);
    const origin = this.scheduled.get(key);
    if (!origin) return undefined;
    this.scheduled.delete(key);
    return origin;
  }

  /** The run's memo changed: it waits for a person (`waitingFor`), or a budget paused it (`budgetExceeded`). */
  private async memoChanged(event: HistoryEvent): Promise<FlockRunEvent[]> {
    const fields = event.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields;
    const crossing = fields?.['budgetExceeded'] ? await decodeFromPayloadsAtIndex<unknown>(this.converter, 0, [fields['budgetExceeded']], this.context) : undefined;
    if (isBudgetCrossing(crossing)) return [{ type: 'paused', reason: budgetPauseReason(crossing), budgetExceeded: crossing }];
    const payload = fields?.['waitingFor'];
    if (!payload) return [];
    const wait = await decodeFromPayloadsAtIndex<WaitingFor | null | undefined>(this.converter, 0, [payload], this.context);
    if (!isWaitingFor(wait)) return [];
    const shown = waitWithoutOutput(wait);
    this.lastWait = shown;
    return [{ type: 'waiting', waitingFor: shown }];
  }

  private async accepted(event: HistoryEvent): Promise<FlockRunEvent[]> {
    const request = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    const name = request?.name;
    if (name !== FLOCK_UPDATES.respond && name !== FLOCK_UPDATES.pause && name !== FLOCK_UPDATES.resume) return [];
    const args = await decodeArrayFromPayloads(this.converter, request?.args?.payloads, this.context);
    if (name === FLOCK_UPDATES.resume) return [{ type: 'resumed' }];
    if (name === FLOCK_UPDATES.pause) {
      const reason = (args[0] as { reason?: unknown } | undefined)?.reason;
      return [typeof reason === 'string' ? { type: 'paused', reason } : { type: 'paused' }];
    }
    return [responseEvent(this.lastWait, (args[0] ?? {}) as FlockResponse)];
  }

  private async closed(event: HistoryEvent): Promise<FlockRunEvent> {
    this.ended = true;
    const completed = event.workflowExecutionCompletedEventAttributes;
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) {
      const result = await decodeFromPayloadsAtIndex<unknown>(this.converter, 0, completed?.result?.payloads, this.context);
      return { type: 'run-completed', result: normalizeRunResult(result) };
    }
    const closure = flockRunClosure(await this.closeError(event));
    return { type: 'run-failed', code: closure.code, message: closure.reason, ...(closure.agent ? { agent: closure.agent } : {}) };
  }

  /** The error `handle.result()` rejects with for this close event. */
  private async closeError(event: HistoryEvent): Promise<WorkflowFailedError> {
    const failed = event.workflowExecutionFailedEventAttributes;
    if (failed) {
      const cause = await decodeOptionalFailureToOptionalError(this.converter, failed.failure, this.context);
      return new WorkflowFailedError('Workflow execution failed', cause, decodeRetryState(failed.retryState) ?? RetryState.NON_RETRYABLE_FAILURE);
    }
    const canceled = event.workflowExecutionCanceledEventAttributes;
    if (canceled) {
      const details = await decodeArrayFromPayloads(this.converter, canceled.details?.payloads, this.context);
      return new WorkflowFailedError('Workflow execution cancelled', new CancelledFailure('Workflow canceled', details), RetryState.NON_RETRYABLE_FAILURE);
    }
    const terminated = event.workflowExecutionTerminatedEventAttributes;
    if (terminated) {
      const reason = terminated.reason || 'Workflow execution terminated';
      return new WorkflowFailedError(reason, new TerminatedFailure(reason), RetryState.NON_RETRYABLE_FAILURE);
    }
    return new WorkflowFailedError(
      'Workflow execution timed out',
      new TimeoutFailure('Workflow execution timed out', undefined, TimeoutType.START_TO_CLOSE),
      decodeRetryState(event.workflowExecutionTimedOutEventAttributes?.retryState) ?? RetryState.TIMEOUT,
    );
  }

  /** Each agent's hand-off in the run's definition (from its start input): static ones are decided in the workflow, not in the step. */
  private handoffsOfRun(): Promise<Map<string, HandoffSpec | undefined>> {
    const payloads = this.startInput;
    this.handoffs ??= (async () => {
      try {
        const input = await decodeFromPayloadsAtIndex<{ definition?: { agents?: Array<{ name: string; next?: HandoffSpec }> } }>(this.converter, 0, payloads, this.context);
        return new Map((input?.definition?.agents ?? []).map((agent) => [agent.name, agent.next]));
      } catch {
        return new Map<string, HandoffSpec | undefined>();
      }
    })();
    return this.handoffs;
  }
}

/** The activity type a local activity marker's `data` names (JSON Temporal writes itself), `undefined` when it cannot be read. */
function localActivityType(data: Payload | undefined): string | undefined {
  if (!data?.data) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(data.data).toString('utf8')) as { activity_type?: unknown };
    return typeof parsed.activity_type === 'string' ? parsed.activity_type : undefined;
  } catch {
    return undefined;
  }
}

function responseEvent(wait: WaitingFor | undefined, response: FlockResponse): FlockRunEvent {
  const answer = response as { approved?: unknown; comment?: unknown; by?: unknown; step?: unknown };
  const kind = wait?.kind ?? (typeof answer.approved === 'boolean' ? 'approval' : 'input');
  const event: FlockRunEvent = {
    type: 'response',
    kind,
    step: wait?.step ?? (typeof answer.step === 'number' ? answer.step : -1),
    agent: wait?.agent ?? '',
  };
  if (kind === 'approval') {
    event.approved = answer.approved === true;
    if (typeof answer.comment === 'string') event.comment = answer.comment;
  }
  if (typeof answer.by === 'string') event.by = answer.by;
  return event;
}

/** The whole step as the ledger has it: the request's step, agent and inputs with the result. */
export function toRecord(request: StepRequest, result: StepResult, handoffs: Map<string, HandoffSpec | undefined>): StepRecord {
  return stepRecordOf(request, result, result.nextAgent !== undefined ? result.nextAgent : nextAgentOf(handoffs, request.agent));
}

/** The agent a step's static hand-off names (`null`: none; `undefined`: unknown, e.g. a router's choice the result does not carry). */
function nextAgentOf(handoffs: Map<string, HandoffSpec | undefined>, agent: string): string | null | undefined {
  if (!handoffs.has(agent)) return undefined;
  const next = handoffs.get(agent);
  return next === undefined ? null : next.kind === 'static' ? next.agent : undefined;
}

/** The first run of the chain a run belongs to (every run's start event names it). */
async function firstRunOf(client: Client, workflowId: string, runId: string | undefined, signal: AbortSignal): Promise<string> {
  let response;
  try {
    response = await abortable(client, signal, () =>
      client.workflowService.getWorkflowExecutionHistory({
        namespace: client.options.namespace,
        execution: { workflowId, ...(runId ? { runId } : {}) },
        maximumPageSize: 1,
      }),
    );
  } catch (error) {
    // as result() and status() report it
    if ((error as { code?: number }).code === 5) throw new WorkflowNotFoundError(`No run with workflow id ${workflowId}`, workflowId, runId);
    throw error;
  }
  const started = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  const first = started?.firstExecutionRunId || runId;
  if (first) return first;
  const description = await client.workflow.getHandle(workflowId).describe();
  return description.runId;
}

const CLOSING = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

/** The events of one run, page after page; with `follow`, long-polls for new ones until the run closes. */
async function* historyOf(client: Client, workflowId: string, runId: string, follow: boolean, signal: AbortSignal): AsyncGenerator<HistoryEvent> {
  let nextPageToken: Uint8Array | undefined;
  for (;;) {
    if (signal.aborted) return;
    let response;
    try {
      response = await abortable(client, signal, () =>
        client.workflowService.getWorkflowExecutionHistory({
          namespace: client.options.namespace,
          execution: { workflowId, runId },
          nextPageToken,
          waitNewEvent: follow,
        }),
      );
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
    let closed = false;
    for (const event of response.history?.events ?? []) {
      yield event;
      if (event.eventType !== null && event.eventType !== undefined && CLOSING.has(event.eventType)) closed = true;
    }
    nextPageToken = response.nextPageToken?.length ? response.nextPageToken : undefined;
    if (closed) return;
    if (!nextPageToken && !follow) return;
  }
}

/** Events from two producers (history, text) to one consumer, in the order they were pushed. */
class EventChannel<T> {
  private readonly items: T[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;
  private roomWaiter: { below: number; resolve: () => void } | undefined;

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', () => this.notify(), { once: true });
  }

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.notify();
  }

  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== undefined) this.failure = { error };
    this.notify();
  }

  /** Resolves once the consumer has taken items down to `below` (or the reading stops). */
  room(below: number): Promise<void> {
    if (this.items.length <= below || this.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => (this.roomWaiter = { below, resolve }));
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.signal.aborted) return;
      const item = this.items.shift();
      if (this.roomWaiter && this.items.length <= this.roomWaiter.below) this.releaseRoom();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.ended) {
        if (this.failure) throw this.failure.error;
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    if (this.signal.aborted) this.releaseRoom();
  }

  private releaseRoom(): void {
    const waiter = this.roomWaiter;
    this.roomWaiter = undefined;
    waiter?.resolve();
  }
}

/**
 * Runs one service call that `signal` cancels. Each call gets its own
 * signal: the SDK's listener on a long-lived one would stay after the call.
 */
export async function abortable<T>(client: Client, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  const own = new AbortController();
  const onAbort = () => own.abort();
  if (signal.aborted) own.abort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await client.connection.withAbortSignal(own.signal, call);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
