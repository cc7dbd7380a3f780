import type { FinishStepInput, ModelCallInput, ModelCallOutcome, StepRef, ToolCallInput } from '@flock-ts/contracts';
import type { FlockRunEvent, StepRequest, StepResult, TokenUsage } from '@flock-ts/engine';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, type LoadedDataConverter } from '@temporalio/common';
import { encodeErrorToFailure, encodeToPayload } from '@temporalio/common/lib/internal-non-workflow';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/data-converter-helpers';
import { temporal } from '@temporalio/proto';
import { flockDataConverter } from './data-converter';
import { RunHistoryDecoder, StepTextTracker, readRunEvents } from './run-events';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;
const converter: LoadedDataConverter = loadDataConverter(flockDataConverter());

const payload = (value: unknown) => encodeToPayload(converter, value);
const payloads = async (...values: unknown[]) => ({ payloads: await Promise.all(values.map(payload)) });

/** Synthetic history events, as the server would send them. */
const history = {
  started: async (input: unknown): Promise<HistoryEvent> => ({
    eventId: 1 as never,
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
    workflowExecutionStartedEventAttributes: { input: await payloads(input) },
  }),
  scheduled: async (eventId: number, activityType: string, request: unknown): Promise<HistoryEvent> => ({
    eventId: eventId as never,
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    activityTaskScheduledEventAttributes: { activityType: { name: activityType }, input: await payloads(request) },
  }),
  completed: async (scheduledEventId: number, result: unknown): Promise<HistoryEvent> => ({
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    activityTaskCompletedEventAttributes: { scheduledEventId: scheduledEventId as never, result: await payloads(result) },
  }),
  failed: (scheduledEventId: number): HistoryEvent => ({
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    activityTaskFailedEventAttributes: { scheduledEventId: scheduledEventId as never },
  }),
  memo: async (fields: Record<string, unknown>): Promise<HistoryEvent> => {
    const encoded: Record<string, temporal.api.common.v1.IPayload> = {};
    // upsertMemo turns null into undefined, which encodes as binary/null
    for (const [key, value] of Object.entries(fields)) encoded[key] = await payload(value ?? undefined);
    return { eventType: EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, workflowPropertiesModifiedEventAttributes: { upsertedMemo: { fields: encoded } } };
  },
  update: async (name: string, ...args: unknown[]): Promise<HistoryEvent> => ({
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { meta: { updateId: 'u' }, input: { name, args: await payloads(...args) } } },
  }),
  /** A local activity's marker as Temporal's core SDK writes it: `data` JSON of its own, the result through the converter. */
  marker: async (activityType: string, result: unknown, failed = false): Promise<HistoryEvent> => ({
    eventType: EventType.EVENT_TYPE_MARKER_RECORDED,
    markerRecordedEventAttributes: {
      markerName: 'core_local_activity',
      details: {
        data: {
          payloads: [
            { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ seq: 1, attempt: 1, activity_id: '1', activity_type: activityType })) },
          ],
        },
        ...(failed ? {} : { result: await payloads(result) }),
      },
      ...(failed ? { failure: { message: 'boom' } } : {}),
    },
  }),
  runCompleted: async (result: unknown): Promise<HistoryEvent> => ({
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    workflowExecutionCompletedEventAttributes: { result: await payloads(result) },
  }),
  runFailed: async (error: Error): Promise<HistoryEvent> => ({
    eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    workflowExecutionFailedEventAttributes: { failure: await encodeErrorToFailure(converter, error) },
  }),
};

async function decodeAll(decoder: RunHistoryDecoder, events: HistoryEvent[]): Promise<FlockRunEvent[]> {
  const out: FlockRunEvent[] = [];
  for (const event of events) out.push(...(await decoder.decode(event)));
  return out;
}

const definition = {
  name: 'review',
  agents: [
    { name: 'draft', input: 'topic: string', output: 'text: string', next: { kind: 'static', agent: 'editor' }, approval: { onReject: 'redo' } },
    { name: 'editor', input: 'text: string', output: 'final: string' },
  ],
};

const request = (step: number, agent: string, inputs: Record<string, unknown> = {}): StepRequest => ({ flockName: 'review', agent, runId: 'r1', step, inputs, variables: {} });
const result = (output: Record<string, unknown>, over: Partial<StepResult> = {}): StepResult => ({
  output,
  variables: {},
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:01.000Z',
  attempt: 1,
  ...over,
});

describe('RunHistoryDecoder', () => {
  it('decodes steps, waits, answers, pauses and the result of a v2 run, in history order', async () => {
    const decoder = new RunHistoryDecoder(converter);
    decoder.beginRun();
    const wait = { kind: 'approval', agent: 'draft', step: 0, prompt: 'Ship it?', output: { text: 'v1' }, since: '2026-01-01T00:00:02.000Z' };
    const events = await decodeAll(decoder, [
      await history.started({ definition, startAgent: 'draft', input: { topic: 't' }, runId: 'r1' }),
      await history.scheduled(5, 'runAgentStep', request(0, 'draft', { topic: 't' })),
      await history.completed(5, result({ text: 'v1' }, { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } })),
      await history.memo({ waitingFor: wait }),
      await history.update('flock.pause', { reason: 'lunch' }),
      await history.update('flock.respond', { approved: false, comment: 'shorter', by: 'ana', step: 0 }),
      await history.memo({ waitingFor: null }),
      await history.update('flock.resume'),
      await history.update('flock.pause', {}),
      await history.update('some.other.update', { x: 1 }),
      await history.scheduled(9, 'runAgentStep', request(1, 'editor', { text: 'v1' })),
      await history.completed(9, result({ final: 'V1' })),
      await history.runCompleted({ runId: 'r1', flockName: 'review', lastAgent: 'editor', output: { final: 'V1' }, variables: {}, stepCount: 2, steps: [] }),
    ]);
    expect(events).toEqual([
      { type: 'step-started', step: 0, agent: 'draft' },
      {
        type: 'step-completed',
        record: {
          step: 0,
          agent: 'draft',
          inputs: { topic: 't' },
          output: { text: 'v1' },
          startedAt: '2026-01-01T00:00:00.000Z',
          finishedAt: '2026-01-01T00:00:01.000Z',
          attempt: 1,
          usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
          // a static hand-off, from the run's definition
          nextAgent: 'editor',
        },
      },
      // events carry the output to approve in the step before, not again
      { type: 'waiting', waitingFor: { kind: 'approval', agent: 'draft', step: 0, prompt: 'Ship it?', since: '2026-01-01T00:00:02.000Z' } },
      { type: 'paused', reason: 'lunch' },
      { type: 'response', kind: 'approval', step: 0, agent: 'draft', approved: false, comment: 'shorter', by: 'ana' },
      { type: 'resumed' },
      { type: 'paused' },
      { type: 'step-started', step: 1, agent: 'editor' },
      expect.objectContaining({ type: 'step-completed', record: expect.objectContaining({ step: 1, agent: 'editor', output: { final: 'V1' }, nextAgent: null }) }),
      { type: 'run-completed', result: expect.objectContaining({ lastAgent: 'editor', output: { final: 'V1' }, stepCount: 2 }) },
    ]);
    expect(decoder.ended).toBe(true);
  });

  it("names the input wait an answer ends, and only a human agent's answer's by", async () => {
    const decoder = new RunHistoryDecoder(converter);
    decoder.beginRun();
    const events = await decodeAll(decoder, [
      await history.memo({ waitingFor: { kind: 'input', agent: 'person', step: 3, signature: 'verdict: string' } }),
      await history.update('flock.respond', { output: { verdict: 'ok' }, by: 'bo' }),
    ]);
    expect(events[1]).toEqual({ type: 'response', kind: 'input', step: 3, agent: 'person', by: 'bo' });
  });

  it('ignores memo changes other than a wait', async () => {
    const decoder = new RunHistoryDecoder(converter);
    decoder.beginRun();
    expect(await decodeAll(decoder, [await history.memo({ other: 1 }), await history.memo({ waitingFor: null })])).toEqual([]);
  });

  it.each([
    [
      'a failed run: its code and agent',
      () =>
        history.runFailed(
          ApplicationFailure.create({ type: 'ApprovalRejectedError', message: 'rejected by ana', nonRetryable: true, details: [{ code: 'REJECTED', agent: 'draft' }] }),
        ),
      { type: 'run-failed', code: 'REJECTED', message: 'rejected by ana', agent: 'draft' },
    ],
    [
      'a cancelled run',
      async (): Promise<HistoryEvent> => ({ eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, workflowExecutionCanceledEventAttributes: {} }),
      { type: 'run-failed', code: 'CANCELLED', message: 'Workflow canceled' },
    ],
    [
      'a terminated run',
      async (): Promise<HistoryEvent> => ({ eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, workflowExecutionTerminatedEventAttributes: { reason: 'ops' } }),
      { type: 'run-failed', code: 'TERMINATED', message: 'ops' },
    ],
    [
      'a timed-out run',
      async (): Promise<HistoryEvent> => ({ eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, workflowExecutionTimedOutEventAttributes: {} }),
      { type: 'run-failed', code: 'TIMED_OUT', message: 'Workflow execution timed out' },
    ],
  ])('ends %s with run-failed, as toFlockRunFailedError maps it', async (_name, event, expected) => {
    const decoder = new RunHistoryDecoder(converter);
    decoder.beginRun();
    expect(await decoder.decode(await event())).toEqual([expected]);
    expect(decoder.ended).toBe(true);
  });

  it('follows continue-as-new (event ids start again in the next run) and numbers v1 steps in order', async () => {
    const decoder = new RunHistoryDecoder(converter);
    decoder.beginRun();
    const v1 = (agentName: string) => ({ flockName: 'old', agentName, state: {} });
    const record = (agent: string) => ({ record: { agent, inputs: {}, output: { ok: true }, startedAt: 'a', finishedAt: 'b' }, variables: {} });
    const first = await decodeAll(decoder, [
      await history.scheduled(5, 'evaluateAgent', v1('a')),
      await history.completed(5, record('a')),
      await history.scheduled(7, 'routeNextAgent', {}),
      await history.completed(7, { nextAgent: 'b' }),
      { eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, workflowExecutionContinuedAsNewEventAttributes: { newExecutionRunId: 'run-2' } },
    ]);
    expect(decoder.nextRunId).toBe('run-2');
    decoder.beginRun();
    const second = await decodeAll(decoder, [await history.scheduled(5, 'evaluateAgent', v1('b')), await history.completed(5, record('b'))]);
    expect(
      [...first, ...second].map((e) =>
        e.type === 'step-completed' ? `done ${e.record.step} ${e.record.agent}` : e.type === 'step-started' ? `start ${e.step} ${e.agent}` : e.type,
      ),
    ).toEqual(['start 0 a', 'done 0 a', 'start 1 b', 'done 1 b']);
  });

  it("decodes a local step's marker into step-started and step-completed, from the echo of its request", async () => {
    const tracker = new StepTextTracker();
    const decoder = new RunHistoryDecoder(converter, undefined, tracker);
    decoder.beginRun();
    const local = { ...result({ text: 'v1' }), localStep: { step: 0, agent: 'draft', inputs: { topic: 't' } } };
    const events = await decodeAll(decoder, [
      await history.started({ definition, startAgent: 'draft', input: { topic: 't' }, runId: 'r1' }),
      // a patch marker and another activity's marker are no steps
      { eventType: EventType.EVENT_TYPE_MARKER_RECORDED, markerRecordedEventAttributes: { markerName: 'core_patch', details: {} } },
      await history.marker('routeNextAgent', { nextAgent: 'x' }),
      await history.marker('runAgentStep', local),
      // a failed local step: no event, as for a failed scheduled one
      await history.marker('runAgentStep', undefined, true),
      await history.scheduled(9, 'runAgentStep', request(1, 'editor', { text: 'v1' })),
      await history.completed(9, result({ final: 'V1' })),
    ]);
    expect(events).toEqual([
      { type: 'step-started', step: 0, agent: 'draft' },
      {
        type: 'step-completed',
        record: {
          step: 0,
          agent: 'draft',
          inputs: { topic: 't' },
          output: { text: 'v1' },
          startedAt: '2026-01-01T00:00:00.000Z',
          finishedAt: '2026-01-01T00:00:01.000Z',
          attempt: 1,
          nextAgent: 'editor',
        },
      },
      { type: 'step-started', step: 1, agent: 'editor' },
      expect.objectContaining({ type: 'step-completed', record: expect.objectContaining({ step: 1, agent: 'editor' }) }),
    ]);
    // a local step never opens for text: it has no heartbeat to read
    expect(tracker.hasOpenSteps()).toBe(false);
  });

  it('opens a step for text when its activity is scheduled and closes it when the activity closes, whatever the outcome', async () => {
    const tracker = new StepTextTracker();
    const decoder = new RunHistoryDecoder(converter, undefined, tracker);
    decoder.beginRun();
    await decoder.decode(await history.scheduled(5, 'runAgentStep', request(0, 'draft')));
    expect(tracker.hasOpenSteps()).toBe(true);
    expect(await decoder.decode(history.failed(5))).toEqual([]);
    expect(tracker.hasOpenSteps()).toBe(false);
  });
});

/** The activities of a step recorded call by call (`durability: 'call'`), as the workflow schedules them. */
const calls = {
  ref: (step: number, agent: string, inputs?: Record<string, unknown>): StepRef => ({
    flockName: 'review',
    agent,
    runId: 'r1',
    step,
    variables: {},
    ...(inputs ? { inputs } : {}),
  }),
  first: (step: StepRequest): ModelCallInput => ({ step, toolCalls: 0 }),
  next: (step: StepRef, toolCalls = 0): ModelCallInput => ({ step, conversation: [{ role: 'user', content: 'hi' }], toolCalls }),
  tool: (step: StepRef, ordinal = 1): ToolCallInput => ({ step: { ...step, inputs: step.inputs ?? {} }, call: { id: `c${ordinal}`, name: 'search', args: { q: 'x' } }, ordinal }),
  finish: (step: StepRef & { inputs: Record<string, unknown> }, output: Record<string, unknown>): FinishStepInput => ({ step, output, startedAt: '2026-01-01T00:00:00.000Z' }),
  toolCalls: (usage?: TokenUsage): ModelCallOutcome => ({
    kind: 'tool-calls',
    conversation: [],
    calls: [{ id: 'c1', name: 'search', args: { q: 'x' } }],
    ...(usage ? { usage } : {}),
  }),
  retry: (usage?: TokenUsage): ModelCallOutcome => ({ kind: 'retry', conversation: [], problem: 'not JSON', ...(usage ? { usage } : {}) }),
  output: (output: Record<string, unknown>, usage?: TokenUsage, final?: StepResult): ModelCallOutcome => ({
    kind: 'output',
    output,
    ...(usage ? { usage } : {}),
    ...(final ? { result: final } : {}),
  }),
};
const tokens = (inputTokens: number, outputTokens: number): TokenUsage => ({ inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, modelCalls: 1 });

describe('RunHistoryDecoder, steps recorded call by call', () => {
  it('starts a step at its first model call and completes it, whole, with the model call that carries its result', async () => {
    const tracker = new StepTextTracker();
    const decoder = new RunHistoryDecoder(converter, undefined, tracker);
    decoder.beginRun();
    const ref = calls.ref(0, 'draft');
    const opened: boolean[] = [];
    const events: FlockRunEvent[] = [];
    for (const event of [
      await history.started({ definition, startAgent: 'draft', input: { topic: 't' }, runId: 'r1' }),
      await history.scheduled(5, 'callAgentModel', calls.first(request(0, 'draft', { topic: 't' }))),
      await history.completed(5, calls.toolCalls(tokens(10, 2))),
      await history.scheduled(7, 'callAgentTool', calls.tool(ref)),
      await history.completed(7, { output: { hits: 3 }, variables: {} }),
      await history.scheduled(9, 'callAgentModel', calls.next(ref, 1)),
      // the result in history carries the last call's usage only
      await history.completed(9, calls.output({ text: 'v1' }, tokens(20, 5), result({ text: 'v1' }, { usage: tokens(20, 5) }))),
    ]) {
      events.push(...(await decoder.decode(event)));
      opened.push(tracker.hasOpenSteps());
    }
    expect(events).toEqual([
      { type: 'step-started', step: 0, agent: 'draft' },
      {
        type: 'step-completed',
        record: {
          step: 0,
          agent: 'draft',
          inputs: { topic: 't' },
          output: { text: 'v1' },
          startedAt: '2026-01-01T00:00:00.000Z',
          finishedAt: '2026-01-01T00:00:01.000Z',
          attempt: 1,
          usage: { inputTokens: 30, outputTokens: 7, totalTokens: 37, modelCalls: 2 },
          nextAgent: 'editor',
        },
      },
    ]);
    // open for text from the first model call through the tool call to the step's end
    expect(opened).toEqual([false, true, true, true, true, true, false]);
  });

  it('completes a step with finishAgentStep: the inputs of its first call, the hand-off and routing usage of the result', async () => {
    const decoder = new RunHistoryDecoder(converter);
    decoder.beginRun();
    const ref = calls.ref(3, 'draft');
    const events = await decodeAll(decoder, [
      await history.started({ definition, startAgent: 'draft', input: { topic: 't' }, runId: 'r1' }),
      await history.scheduled(5, 'callAgentModel', calls.first(request(3, 'draft', { topic: 'as resolved' }))),
      await history.completed(5, calls.output({ text: 'v2' }, tokens(4, 1))),
      // the inputs after the agent's hooks: not the step's record
      await history.scheduled(7, 'finishAgentStep', calls.finish({ ...ref, inputs: { topic: 'after hooks' } }, { text: 'v2' })),
      await history.completed(7, result({ text: 'v2' }, { nextAgent: 'editor', routingUsage: tokens(2, 1), attempt: 2 })),
    ]);
    expect(events).toEqual([
      { type: 'step-started', step: 3, agent: 'draft' },
      {
        type: 'step-completed',
        record: {
          step: 3,
          agent: 'draft',
          inputs: { topic: 'as resolved' },
          output: { text: 'v2' },
          startedAt: '2026-01-01T00:00:00.000Z',
          finishedAt: '2026-01-01T00:00:01.000Z',
          attempt: 2,
          usage: { inputTokens: 4, outputTokens: 1, totalTokens: 5, modelCalls: 1 },
          routingUsage: { inputTokens: 2, outputTokens: 1, totalTokens: 3, modelCalls: 1 },
          nextAgent: 'editor',
        },
      },
    ]);
  });

  it('sums the usage of every model call of the step, an unusable answer included, and leaves it out when no call reported any', async () => {
    const decoder = new RunHistoryDecoder(converter);
    decoder.beginRun();
    const ref = calls.ref(0, 'editor');
    const events = await decodeAll(decoder, [
      await history.scheduled(5, 'callAgentModel', calls.first(request(0, 'editor', { text: 'a' }))),
      await history.completed(5, calls.toolCalls(tokens(1, 1))),
      await history.scheduled(6, 'callAgentTool', calls.tool(ref, 1)),
      await history.completed(6, { output: null, variables: {} }),
      await history.scheduled(7, 'callAgentModel', calls.next(ref, 1)),
      await history.completed(7, calls.retry(tokens(10, 10))),
      await history.scheduled(8, 'callAgentModel', calls.next(ref, 1)),
      await history.completed(8, calls.output({ final: 'A' }, tokens(100, 100), result({ final: 'A' }))),
      // the workflow sets the step's usage to the sum of its calls' usage: none here, whatever the result says
      await history.scheduled(9, 'callAgentModel', calls.first(request(1, 'editor', { text: 'b' }))),
      await history.completed(9, calls.output({ final: 'B' }, undefined, result({ final: 'B' }, { usage: tokens(7, 7) }))),
    ]);
    const records = events.flatMap((event) => (event.type === 'step-completed' ? [event.record] : []));
    expect(records.map((record) => [record.step, record.usage])).toEqual([
      [0, { inputTokens: 111, outputTokens: 111, totalTokens: 222, modelCalls: 3 }],
      [1, undefined],
    ]);
    expect(records[1]).not.toHaveProperty('usage');
  });

  it("ends a step's text, with no event, when one of its calls fails", async () => {
    const tracker = new StepTextTracker();
    const decoder = new RunHistoryDecoder(converter, undefined, tracker);
    decoder.beginRun();
    const events = await decodeAll(decoder, [
      await history.scheduled(5, 'callAgentModel', calls.first(request(0, 'draft', { topic: 't' }))),
      await history.completed(5, calls.toolCalls(tokens(1, 0))),
      await history.scheduled(6, 'callAgentTool', calls.tool(calls.ref(0, 'draft'))),
    ]);
    expect(tracker.hasOpenSteps()).toBe(true);
    expect(await decoder.decode(history.failed(6))).toEqual([]);
    expect(tracker.hasOpenSteps()).toBe(false);
    expect(events).toEqual([{ type: 'step-started', step: 0, agent: 'draft' }]);
  });

  it('makes no events of the markers of local calls (a marker has no input to name the step)', async () => {
    const decoder = new RunHistoryDecoder(converter);
    decoder.beginRun();
    const events = await decodeAll(decoder, [
      await history.marker('callAgentModel', calls.output({ text: 'v1' }, tokens(1, 1), result({ text: 'v1' }))),
      await history.marker('finishAgentStep', result({ text: 'v1' })),
    ]);
    expect(events).toEqual([]);
  });
});

describe('readRunEvents, steps recorded call by call', () => {
  /**
   * A client whose history has two pages: the first ends with the step's
   * first model call scheduled; the second (the rest of the step and the
   * run's end) comes once every scripted describe() was read, so the text
   * of the second model call is read before the history says it began.
   */
  function fakeClient(first: HistoryEvent[], rest: HistoryEvent[], describes: Array<Array<{ activityId: string; activityType: string; details: unknown }>>): Client {
    let described = 0;
    let releaseRest: () => void = () => undefined;
    const restReady = new Promise<void>((resolve) => (releaseRest = resolve));
    let page = 0;
    const service = {
      getWorkflowExecutionHistory: async (request: { maximumPageSize?: number }) => {
        if (request.maximumPageSize === 1) return { history: { events: [first[0]] } };
        page++;
        if (page === 1) return { history: { events: first } };
        await restReady;
        return { history: { events: rest } };
      },
      describeWorkflowExecution: async () => {
        // a server round trip: the history reader's events of the moment go first
        await new Promise((resolve) => setTimeout(resolve, 0));
        const pending = describes[described++] ?? [];
        if (described > describes.length) releaseRest();
        return {
          pendingActivities: await Promise.all(
            pending.map(async ({ activityId, activityType, details }) => ({ activityId, activityType: { name: activityType }, heartbeatDetails: await payloads(details) })),
          ),
        };
      },
    };
    return {
      options: { namespace: 'default', loadedDataConverter: converter },
      workflowService: service,
      connection: { withAbortSignal: (_signal: AbortSignal, call: () => Promise<unknown>) => call() },
    } as unknown as Client;
  }

  it("yields the text of a step's model calls one after the other, each from its own start", async () => {
    const beat = (activityId: string, text: string, attempt = 1) => ({
      activityId,
      activityType: 'callAgentModel',
      details: { agent: 'draft', step: 0, attempt, text: { length: text.length, tail: text } },
    });
    const started: HistoryEvent = { ...(await history.started({ definition, startAgent: 'draft', input: { topic: 't' }, runId: 'r1' })) };
    started.workflowExecutionStartedEventAttributes = { ...started.workflowExecutionStartedEventAttributes, firstExecutionRunId: 'run-1' };
    const ref = calls.ref(0, 'draft');
    const client = fakeClient(
      [started, await history.scheduled(5, 'callAgentModel', calls.first(request(0, 'draft', { topic: 't' })))],
      [
        await history.completed(5, calls.toolCalls(tokens(1, 1))),
        await history.scheduled(7, 'callAgentTool', calls.tool(ref)),
        await history.completed(7, { output: 1, variables: {} }),
        await history.scheduled(9, 'callAgentModel', calls.next(ref, 1)),
        await history.completed(9, calls.output({ text: 'v1' }, tokens(2, 2), result({ text: 'v1' }))),
        await history.runCompleted({ runId: 'r1', flockName: 'review', lastAgent: 'draft', output: { text: 'v1' }, variables: {}, stepCount: 1, steps: [] }),
      ],
      [
        [beat('5', 'Let me')],
        [beat('5', 'Let me look.')],
        // a tool call runs: no text
        [{ activityId: '7', activityType: 'callAgentTool', details: { agent: 'draft', step: 0, attempt: 1, text: { length: 0, tail: '' } } }],
        // the second model call counts its text from zero again
        [beat('9', 'Found')],
        [beat('9', 'Found it.')],
        // its retry streams again from its start
        [beat('9', 'Fou', 2)],
      ],
    );
    const events: FlockRunEvent[] = [];
    for await (const event of readRunEvents(client, 'wf', { follow: true, text: true, textPollMs: 1 })) events.push(event);
    expect(events.map((event) => (event.type === 'text-delta' ? event.delta : event.type))).toEqual([
      'step-started',
      'Let me',
      ' look.',
      'Found',
      ' it.',
      'Fou',
      'step-completed',
      'run-completed',
    ]);
  });
});

describe('StepTextTracker', () => {
  const details = (length: number, tail: string, over: Record<string, unknown> = {}) => ({ agent: 'writer', step: 2, attempt: 1, text: { length, tail }, ...over });

  it('yields the new suffix of an open step, once', () => {
    const tracker = new StepTextTracker();
    tracker.openStep(2, 'writer');
    expect(tracker.update(details(5, 'Hello'))).toEqual({ type: 'text-delta', step: 2, agent: 'writer', delta: 'Hello' });
    expect(tracker.update(details(5, 'Hello'))).toBeUndefined();
    expect(tracker.update(details(11, 'Hello world'))).toEqual({ type: 'text-delta', step: 2, agent: 'writer', delta: ' world' });
  });

  it('yields nothing for a step that is not open (closed, or another one)', () => {
    const tracker = new StepTextTracker();
    tracker.openStep(2, 'writer');
    expect(tracker.update(details(1, 'x', { step: 3 }))).toBeUndefined();
    expect(tracker.update(details(1, 'x', { agent: 'other' }))).toBeUndefined();
    tracker.closeStep(2);
    expect(tracker.update(details(1, 'x'))).toBeUndefined();
    expect(tracker.update({ agent: 'writer', alive: true })).toBeUndefined();
    expect(tracker.update(undefined)).toBeUndefined();
  });

  it('yields the whole tail when more came than the tail holds, without half a character', () => {
    const tracker = new StepTextTracker();
    tracker.openStep(2, 'writer');
    tracker.update(details(2, 'ab'));
    expect(tracker.update(details(100, 'xyz'))?.delta).toBe('xyz');
    expect(tracker.update(details(200, '\uDE00abc'))?.delta).toBe('abc');
  });

  it('starts again from nothing on a later attempt and ignores an earlier one', () => {
    const tracker = new StepTextTracker();
    tracker.openStep(2, 'writer');
    tracker.update(details(5, 'Hello'));
    expect(tracker.update(details(3, 'Hey', { attempt: 2 }))?.delta).toBe('Hey');
    expect(tracker.update(details(9, 'Hello you', { attempt: 1 }))).toBeUndefined();
  });

  it("starts again from nothing when the step's text comes from another activity (its next model call)", () => {
    const tracker = new StepTextTracker();
    tracker.openStep(2, 'writer');
    expect(tracker.update(details(5, 'Hello'), 'a1')?.delta).toBe('Hello');
    expect(tracker.update(details(3, 'Hey'), 'a2')?.delta).toBe('Hey');
    expect(tracker.update(details(3, 'Hey'), 'a2')).toBeUndefined();
    expect(tracker.update(details(7, 'Hey you'), 'a2')?.delta).toBe(' you');
    // without an activity id, the text goes on from where it was
    expect(tracker.update(details(8, 'Hey you!'))?.delta).toBe('!');
  });

  it('wakes a reader waiting for a step to open', async () => {
    const tracker = new StepTextTracker();
    const abort = new AbortController();
    let woke = false;
    const waiting = tracker.whenOpen(abort.signal).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    tracker.openStep(0, 'a');
    await waiting;
    expect(woke).toBe(true);
  });
});
