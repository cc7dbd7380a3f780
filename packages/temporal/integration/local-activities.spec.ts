/**
 * Local activities on a real server (`temporalActivityConfig.local`): a
 * local agent's step runs in the workflow's worker and leaves one
 * MarkerRecorded event instead of a scheduled activity, with the same
 * retry policy and start-to-close timeout; followers and the step ledger
 * still see its step.
 */
import { Flock, type FlockRunEvent } from '@flock-ts/core';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { rejection, temporalConfigFor, testClient, uniqueQueue, workerHarness } from './harness';
import { temporal as temporalExecutor } from '../src';

jest.setTimeout(120_000);

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

const { startWorker, clients } = workerHarness();

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** `first` (regular) -> `middle` (local) -> `last` (regular), each adding its letter. */
function sandwich(queue: string) {
  return new Flock({
    name: uniqueQueue('local-sandwich'),
    executor: temporalExecutor(),
    temporalConfig: temporalConfigFor(queue),
    agents: [
      { name: 'first', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text: `${String(text)}a` }), next: 'middle' },
      {
        name: 'middle',
        input: 'text: string',
        output: 'text: string',
        temporalActivityConfig: { local: true },
        evaluate: ({ text }) => ({ text: `${String(text)}b` }),
        next: 'last',
      },
      { name: 'last', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text: `${String(text)}c` }) },
    ],
  });
}

/** A flock of one local agent running `evaluate`, with `config` over `local: true`. */
function oneLocalAgent(queue: string, config: Record<string, unknown>, evaluate: (attempt: number) => Promise<Record<string, unknown>> | Record<string, unknown>) {
  return new Flock({
    name: uniqueQueue('local-one'),
    executor: temporalExecutor(),
    temporalConfig: temporalConfigFor(queue),
    agents: [
      {
        name: 'quick',
        input: 'x: string',
        output: 'x: string',
        temporalActivityConfig: { local: true, retryInitialIntervalSeconds: 0.1, retryBackoffCoefficient: 1, ...config },
        evaluate: (_inputs, ctx) => evaluate(ctx.attempt),
      },
    ],
  });
}

async function historyOf(workflowId: string): Promise<{ events: HistoryEvent[]; decode: (payloads: temporal.api.common.v1.IPayload[] | null | undefined) => Promise<unknown> }> {
  const client = await testClient();
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const converter = client.options.loadedDataConverter;
    return { events: history.events ?? [], decode: (payloads) => decodeFromPayloadsAtIndex<unknown>(converter, 0, payloads ?? undefined) };
  } finally {
    await client.connection.close();
  }
}

function outline(events: FlockRunEvent[]): string[] {
  return events
    .filter((e) => e.type !== 'text-delta')
    .map((e) => (e.type === 'step-started' ? `started ${e.step} ${e.agent}` : e.type === 'step-completed' ? `completed ${e.record.step} ${e.record.agent}` : e.type));
}

describe('local agent steps (temporalActivityConfig.local)', () => {
  it('runs a local agent between two regular ones: a marker in history, no scheduled activity, and followers see every step', async () => {
    const queue = uniqueQueue('local-sandwich');
    const flock = sandwich(queue);
    await startWorker(flock, queue);
    const run = await flock.start({ startAgent: 'first', input: { text: '' } });
    const followed: FlockRunEvent[] = [];
    for await (const event of run.events()) followed.push(event);
    const result = await run.result();
    expect(result.output).toEqual({ text: 'abc' });
    expect(result.steps.map((s) => s.agent)).toEqual(['first', 'middle', 'last']);

    const { events, decode } = await historyOf(run.id);
    const scheduledAgents = await Promise.all(
      events
        .filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(async (e) => ((await decode(e.activityTaskScheduledEventAttributes?.input?.payloads)) as { agent: string }).agent),
    );
    expect(scheduledAgents).toEqual(['first', 'last']);
    const markers = events.filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(markers).toHaveLength(1);
    const markerResult = (await decode(markers[0].markerRecordedEventAttributes?.details?.['result']?.payloads)) as Record<string, unknown>;
    expect(markerResult).toMatchObject({ output: { text: 'ab' }, localStep: { step: 1, agent: 'middle', inputs: { text: 'a' } } });

    // a follower: every step, the local one's step-started only with its step-completed
    expect(outline(followed)).toEqual(['started 0 first', 'completed 0 first', 'started 1 middle', 'completed 1 middle', 'started 2 last', 'completed 2 last', 'run-completed']);
    const middle = followed.find((e) => e.type === 'step-completed' && e.record.agent === 'middle');
    expect(middle).toMatchObject({ record: { step: 1, agent: 'middle', inputs: { text: 'a' }, output: { text: 'ab' }, nextAgent: 'last', attempt: 1 } });
    // the step ledger (flockctl steps) and the status (flockctl status) list it too
    const ledger = [];
    for await (const step of clients.runs.steps(run.id)) ledger.push(step);
    expect(ledger.map((s) => `${s.step} ${s.agent} ${JSON.stringify(s.output)}`)).toEqual(['0 first {"text":"a"}', '1 middle {"text":"ab"}', '2 last {"text":"abc"}']);
    const status = await clients.runs.status(run.id);
    expect(status.steps.map((s) => s.agent)).toEqual(['first', 'middle', 'last']);
  });

  it('leaves runs of the frozen v1 workflow (workflowVersion: 1) on regular activities', async () => {
    const queue = uniqueQueue('local-v1');
    const flock = new Flock({
      name: uniqueQueue('local-v1'),
      executor: temporalExecutor(),
      temporalConfig: temporalConfigFor(queue, { workflowVersion: 1 }),
      agents: [{ name: 'quick', input: 'x: string', output: 'x: string', temporalActivityConfig: { local: true }, evaluate: ({ x }) => ({ x: `${String(x)}!` }) }],
    });
    await startWorker(flock, queue);
    const result = await flock.run({ startAgent: 'quick', input: { x: 'a' } });
    expect(result.output).toEqual({ x: 'a!' });
    const { events } = await historyOf(result.temporal.workflowId);
    expect(events.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual([
      'evaluateAgent',
    ]);
    expect(events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toBe(false);
  });

  it('retries a local agent per its policy: two failures then success within retryMaxAttempts: 3', async () => {
    const queue = uniqueQueue('local-retry');
    let calls = 0;
    const flock = oneLocalAgent(queue, { retryMaxAttempts: 3 }, (attempt) => {
      calls++;
      if (attempt < 3) throw Object.assign(new Error(`transient failure ${attempt}`), { name: 'TransientError' });
      return { x: `done on attempt ${attempt}` };
    });
    await startWorker(flock, queue);
    const result = await flock.run({ startAgent: 'quick', input: { x: 'a' } });
    expect(result.output).toEqual({ x: 'done on attempt 3' });
    expect(result.steps[0].attempt).toBe(3);
    expect(calls).toBe(3);
    const { events } = await historyOf(result.temporal.workflowId);
    expect(events.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe(false);
  });

  it('fails the run naming the agent when retryMaxAttempts: 1 allows no retry', async () => {
    const queue = uniqueQueue('local-once');
    let calls = 0;
    const flock = oneLocalAgent(queue, { retryMaxAttempts: 1 }, () => {
      calls++;
      throw Object.assign(new Error('always broken'), { name: 'BrokenError' });
    });
    await startWorker(flock, queue);
    const error = await rejection(flock.run({ startAgent: 'quick', input: { x: 'a' } }));
    expect(error.name).toBe('FlockRunFailedError');
    expect(error['agent']).toBe('quick');
    expect(error.message).toMatch(/Agent "quick" failed: BrokenError: always broken/);
    expect(calls).toBe(1);
  });

  it("enforces a local agent's startToCloseTimeoutSeconds: a hanging step times out, is retried per policy, then fails the run", async () => {
    const queue = uniqueQueue('local-hang');
    let calls = 0;
    const flock = oneLocalAgent(queue, { startToCloseTimeoutSeconds: 1, retryMaxAttempts: 2 }, async () => {
      calls++;
      // ignores ctx.signal: only the timeout ends the attempt
      await sleep(20_000);
      return { x: 'too late' };
    });
    await startWorker(flock, queue);
    const started = Date.now();
    const error = await rejection(flock.run({ startAgent: 'quick', input: { x: 'a' } }));
    expect(error.name).toBe('FlockRunFailedError');
    expect(error['agent']).toBe('quick');
    // a local activity's timeout says "Activity timed out" (a scheduled one's names StartToClose)
    expect(error.message).toMatch(/Agent "quick" failed: .*timed out/i);
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
