import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../src/lib/time-skipping';
import { uniqueName } from '../src/lib/test-temporal-env';
import { createActivities } from './fixtures/activities';
import { retryWorkflow, timeoutThenRetryWorkflow } from './fixtures/workflows';

const TEN_MINUTES_MS = 10 * 60 * 1000;

describe('time-skipping test server obtained by the tools', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  async function withWorker<T>(body: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = uniqueName('tools-time-skipping');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./fixtures/workflows'),
      // This server skips time by itself only while no activity runs; an
      // activity that must outlive its timeout moves the clock explicitly.
      activities: createActivities(() => env.sleep('11 minutes')),
    });
    return worker.runUntil(body(taskQueue));
  }

  it('supports time skipping', () => {
    expect(env.supportsTimeSkipping).toBe(true);
  });

  it('retries a failing activity across 5-minute backoffs without waiting them', async () => {
    const before = await env.currentTimeMs();
    const attempt = await withWorker((taskQueue) => env.client.workflow.execute(retryWorkflow, { taskQueue, workflowId: uniqueName('retry'), args: [2] }));
    expect(attempt).toBe(3);
    // Two backoffs of 5 minutes passed on the server's clock, not on ours.
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(TEN_MINUTES_MS);
  });

  it('times out an attempt that overruns its 10-minute start-to-close timeout and retries it', async () => {
    const attempt = await withWorker((taskQueue) => env.client.workflow.execute(timeoutThenRetryWorkflow, { taskQueue, workflowId: uniqueName('timeout') }));
    // Attempt 1 answered after its timeout; the server discarded that answer.
    expect(attempt).toBe(2);
  });
});
