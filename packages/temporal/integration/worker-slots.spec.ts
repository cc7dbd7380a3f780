/**
 * Workers keep working, on a real server: agent code that never settles and
 * ignores its abort signal must not hold worker slots past its timeout, nor
 * hold up a shutdown past its grace time.
 */
import { Flock } from '@flock-ts/core';
import { resolveConnection } from '../src/lib/connection';
import { FlockRunsClient } from '../src/lib/runs-client';
import { createFlockWorker } from '../src/lib/worker-factory';
import { rejection, testServer, uniqueQueue } from './harness';

jest.setTimeout(60_000);

const server = testServer();
const connection = resolveConnection({ serverUrl: server.address, namespace: server.namespace });
const never = () => new Promise<Record<string, unknown>>(() => undefined);

function hungFlock(queue: string): Flock {
  return new Flock({
    name: uniqueQueue('slots'),
    temporalConfig: { taskQueue: queue },
    agents: [
      { name: 'hang', input: 'x: string', output: 'y: string', temporalActivityConfig: { startToCloseTimeoutSeconds: 2, retryMaxAttempts: 1 }, evaluate: never },
      { name: 'quick', input: 'x: string', output: 'y: string', evaluate: ({ x }) => ({ y: String(x) }) },
    ],
  });
}

let runs: FlockRunsClient;
beforeAll(async () => {
  runs = await FlockRunsClient.connect(connection);
});
afterAll(() => runs?.close());

it('frees the slots of timed-out steps whose agents never settle: the next run completes', async () => {
  const queue = uniqueQueue('slots');
  const flock = hungFlock(queue);
  const worker = await createFlockWorker({ connection, flocks: [flock], taskQueue: queue, concurrency: 2 });
  void worker.run();
  await worker.polling();
  try {
    const hung = await Promise.all([1, 2].map((x) => runs.start(flock, { startAgent: 'hang', input: { x: String(x) } })));
    for (const { workflowId } of hung) expect(await rejection(runs.result(workflowId))).toMatchObject({ code: 'AGENT_FAILED', agent: 'hang' });
    const { workflowId } = await runs.start(flock, { startAgent: 'quick', input: { x: 'after' } });
    const started = Date.now();
    await expect(runs.result(workflowId)).resolves.toMatchObject({ output: { y: 'after' } });
    expect(Date.now() - started).toBeLessThan(10_000);
  } finally {
    await worker.shutdown();
  }
});

it('shuts down within its grace time while an agent that ignores its signal is in flight', async () => {
  const queue = uniqueQueue('slots');
  const flock = hungFlock(queue);
  const worker = await createFlockWorker({ connection, flocks: [flock], taskQueue: queue, workerOptions: { shutdownGraceTime: 1_000 } });
  void worker.run();
  await worker.polling();
  await runs.start(flock, { startAgent: 'hang', input: { x: 'stuck' } });
  await new Promise((resolve) => setTimeout(resolve, 500)); // the step is running
  const started = Date.now();
  await worker.shutdown();
  const took = Date.now() - started;
  expect(worker.worker.getState()).toBe('STOPPED');
  expect(took).toBeLessThan(5_000);
  process.stdout.write(`shutdown with a hung agent in flight took ${took} ms (grace 1 s)\n`);
});
