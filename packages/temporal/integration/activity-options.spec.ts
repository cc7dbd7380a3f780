import { Flock } from '@flock-ts/core';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { resolveConnection } from '../src/lib/connection';
import { createFlockWorker } from '../src/lib/worker-factory';
import { rejection, temporalConfigFor, testClient, testServer, uniqueQueue } from './harness';
import { temporal as temporalExecutor } from '../src';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function historyOf(workflowId: string): Promise<HistoryEvent[]> {
  const client = await testClient();
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    return history.events ?? [];
  } finally {
    await client.connection.close();
  }
}

const scheduled = (events: HistoryEvent[]) => events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));

const attempts = new Map<string, number>();

describe('per-agent activity options on a real server', () => {
  it('schedules each agent with its own timeouts and retry policy over the flock defaults', async () => {
    const flock = new Flock({
      name: 'options-readback',
      executor: temporalExecutor(),
      temporalStartInProcessWorker: true,
      temporalConfig: temporalConfigFor(uniqueQueue('options'), {
        activityDefaults: { startToCloseTimeoutSeconds: 45, retryMaxAttempts: 4, retryInitialIntervalSeconds: 2 },
      }),
      agents: [
        {
          name: 'tuned',
          input: 'x: string',
          output: 'x: string',
          evaluate: ({ x }) => ({ x }),
          next: 'plain',
          temporalActivityConfig: {
            startToCloseTimeoutSeconds: 60,
            scheduleToStartTimeoutSeconds: 10,
            heartbeatTimeoutSeconds: 5,
            retryMaxAttempts: 3,
            retryBackoffCoefficient: 3,
            retryMaximumIntervalSeconds: 30,
            nonRetryableErrorTypes: ['QuotaExceeded'],
          },
        },
        { name: 'plain', input: 'x: string', output: 'x: string', evaluate: ({ x }) => ({ x }) },
      ],
    });
    const result = await flock.run({ startAgent: 'tuned', input: { x: 'a' } });
    const [tuned, plain] = scheduled(await historyOf(result.temporal.workflowId));

    expect(optionalTsToMs(tuned.startToCloseTimeout)).toBe(60_000);
    expect(optionalTsToMs(tuned.scheduleToStartTimeout)).toBe(10_000);
    expect(optionalTsToMs(tuned.heartbeatTimeout)).toBe(5_000);
    expect(tuned.retryPolicy?.maximumAttempts).toBe(3);
    expect(tuned.retryPolicy?.backoffCoefficient).toBe(3);
    expect(optionalTsToMs(tuned.retryPolicy?.initialInterval)).toBe(2_000);
    expect(optionalTsToMs(tuned.retryPolicy?.maximumInterval)).toBe(30_000);
    expect(tuned.retryPolicy?.nonRetryableErrorTypes).toEqual(['QuotaExceeded']);

    expect(optionalTsToMs(plain.startToCloseTimeout)).toBe(45_000);
    expect(plain.retryPolicy?.maximumAttempts).toBe(4);
    expect(plain.retryPolicy?.nonRetryableErrorTypes).not.toContain('QuotaExceeded');
  }, 60_000);

  it('retries a flaky agent until it succeeds on a later attempt', async () => {
    const runId = `flaky-${Date.now()}`;
    const flock = new Flock({
      name: 'flaky-flock',
      executor: temporalExecutor(),
      temporalStartInProcessWorker: true,
      temporalConfig: temporalConfigFor(uniqueQueue('flaky')),
      agents: [
        {
          name: 'flaky',
          input: 'x: string',
          output: 'x: string, attempt: integer',
          temporalActivityConfig: { retryMaxAttempts: 5, retryInitialIntervalSeconds: 0.1, retryBackoffCoefficient: 1 },
          evaluate: ({ x }, ctx) => {
            const n = (attempts.get(runId) ?? 0) + 1;
            attempts.set(runId, n);
            if (n < 3) throw Object.assign(new Error(`transient failure ${n}`), { name: 'TransientError' });
            return { x, attempt: ctx.attempt };
          },
        },
      ],
    });
    const result = await flock.run({ startAgent: 'flaky', input: { x: 'a' }, runId });
    expect(attempts.get(runId)).toBe(3);
    expect(result.output).toEqual({ x: 'a', attempt: 3 });
    expect(result.steps[0].attempt).toBe(3);
  }, 60_000);

  it('does not retry an error type listed as non-retryable', async () => {
    const runId = `fatal-${Date.now()}`;
    const flock = new Flock({
      name: 'fatal-flock',
      executor: temporalExecutor(),
      temporalStartInProcessWorker: true,
      temporalConfig: temporalConfigFor(uniqueQueue('fatal')),
      agents: [
        {
          name: 'caller',
          input: 'x: string',
          output: 'x: string',
          temporalActivityConfig: { retryMaxAttempts: 5, retryInitialIntervalSeconds: 0.1, nonRetryableErrorTypes: ['AuthError'] },
          evaluate: () => {
            attempts.set(runId, (attempts.get(runId) ?? 0) + 1);
            throw Object.assign(new Error('invalid API key'), { name: 'AuthError' });
          },
        },
      ],
    });
    const error = await rejection(flock.run({ startAgent: 'caller', input: { x: 'a' }, runId }));
    expect(error.name).toBe('FlockRunFailedError');
    expect(error['agent']).toBe('caller');
    // the step error names the agent and the cause type (see toApplicationFailure in @flock-ts/activities)
    expect(error.message).toMatch(/Agent "caller" failed: AuthError: invalid API key/);
    expect(attempts.get(runId)).toBe(1);
  }, 60_000);

  it('fails the run when no worker polls an agent task queue before its schedule-to-start timeout', async () => {
    const taskQueue = uniqueQueue('sts');
    const { address, namespace } = testServer();
    const flock = new Flock({
      name: 'unpolled-flock',
      executor: temporalExecutor(),
      temporalConfig: temporalConfigFor(taskQueue),
      agents: [
        {
          name: 'gpu-agent',
          input: 'x: string',
          output: 'x: string',
          evaluate: ({ x }) => ({ x }),
          temporalActivityConfig: { taskQueue: uniqueQueue('nobody-polls'), scheduleToStartTimeoutSeconds: 1 },
        },
      ],
    });
    // a worker on the flock's queue only: the agent's own queue stays unpolled
    const worker = await createFlockWorker({ connection: resolveConnection({ serverUrl: address, namespace }), flocks: [flock], taskQueue });
    const running = worker.run();
    try {
      const error = await rejection(flock.run({ startAgent: 'gpu-agent', input: { x: 'a' } }));
      expect(error.name).toBe('FlockRunFailedError');
      expect(error['agent']).toBe('gpu-agent');
      expect(error.message).toMatch(/ScheduleToStart/i);
    } finally {
      await worker.shutdown();
      await running;
    }
  }, 60_000);
});
