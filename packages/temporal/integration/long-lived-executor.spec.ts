/**
 * The long-lived executor on a real server: with
 * `temporalStartInProcessWorker`, a flock's workers start once (shared by
 * concurrent first runs), serve every later run, and share one
 * NativeConnection with the client that starts the runs, so runs start
 * eagerly. `flock.close()` stops them and a later run starts them again;
 * a script that never closes its flock still ends by itself; a worker
 * start that fails rejects its run and the next run tries again.
 */
import { Flock } from '@flock-ts/core';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { buildFlockWorkflowStart, startFlockWorkflow } from '../src/lib/run-start';
import { TemporalExecutor, temporal as temporalExecutor, type TemporalExecutorOptions, type TemporalRunResult } from '../src/lib/temporal-executor';
import { createFlockWorker, type FlockWorker, type FlockWorkerOptions } from '../src/lib/worker-factory';
import { rejection, temporalConfigFor, testClient, testServer, uniqueQueue, workerHarness } from './harness';

jest.setTimeout(120_000);

const EventType = temporal.api.enums.v1.EventType;

/** A worker factory that records the workers it made (the executor's only way to make them). */
function countingFactory() {
  const made: Array<{ options: FlockWorkerOptions; worker: FlockWorker }> = [];
  const createWorker = async (options: FlockWorkerOptions) => {
    const worker = await createFlockWorker(options);
    made.push({ options, worker });
    return worker;
  };
  return { made, createWorker };
}

function chainFlock(taskQueue: string, executor: TemporalExecutorOptions, extra: { serverUrl?: string; sideQueue?: string } = {}) {
  return new Flock({
    name: uniqueQueue('long-lived'),
    temporalStartInProcessWorker: true,
    temporalConfig: { ...temporalConfigFor(taskQueue), ...(extra.serverUrl ? { serverUrl: extra.serverUrl } : {}) },
    executor: new TemporalExecutor(executor),
    agents: [
      { name: 'first', input: 'n: integer', output: 'n: integer', evaluate: ({ n }) => ({ n: (n as number) + 1 }), next: 'second' },
      {
        name: 'second',
        input: 'n: integer',
        output: 'n: integer',
        evaluate: ({ n }) => ({ n: (n as number) * 10 }),
        ...(extra.sideQueue ? { temporalActivityConfig: { taskQueue: extra.sideQueue } } : {}),
      },
    ],
  });
}

/**
 * Whether the run's first workflow task was handed out in its start
 * request: its WorkflowTaskStarted event (event 3) was written in the start's
 * own transaction, right after WorkflowTaskScheduled (consecutive task ids).
 * A task a worker polls for is started in a later transaction, after the
 * start also wrote the transfer task that hands it to matching.
 */
async function firstTaskStartedWithTheStart(client: Client, workflowId: string): Promise<boolean> {
  const response = await client.workflowService.getWorkflowExecutionHistory({ namespace: testServer().namespace, execution: { workflowId } });
  const [started, scheduled, taskStarted] = response.history?.events ?? [];
  expect(started?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
  expect(scheduled?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  expect(taskStarted?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  return Number(taskStarted?.taskId) === Number(scheduled?.taskId) + 1;
}

let client: Client;
beforeAll(async () => {
  client = await testClient();
});
afterAll(async () => {
  await client?.connection.close();
});

describe('in-process workers of one flock', () => {
  const flocks: Flock[] = [];
  afterAll(() => Promise.all(flocks.map((flock) => flock.close())));

  it('start once for two sequential and five concurrent runs, on every queue the agents use, and every run starts eagerly', async () => {
    const { made, createWorker } = countingFactory();
    const queue = uniqueQueue('long-lived');
    const sideQueue = uniqueQueue('long-lived-side');
    const flock = chainFlock(queue, { createWorker, workerIdleShutdownMs: 30_000 }, { sideQueue });
    flocks.push(flock);
    const results: TemporalRunResult[] = [];
    for (let i = 0; i < 2; i++) results.push(await flock.run({ startAgent: 'first', input: { n: i } }));
    results.push(...(await Promise.all(Array.from({ length: 5 }, (_, i) => flock.run({ startAgent: 'first', input: { n: 10 + i } })))));
    expect(results.map((r) => r.output)).toEqual([0, 1, 10, 11, 12, 13, 14].map((n) => ({ n: (n + 1) * 10 })));
    // one worker per task queue, made once: the first run started them, the others reused them
    expect(made.map((m) => m.options.taskQueue).sort()).toEqual([queue, sideQueue].sort());
    // the client that started the runs is on the workers' own connection: every run started eagerly
    expect(made.every((m) => m.options.nativeConnection === made[0]?.options.nativeConnection)).toBe(true);
    expect(results.map((r) => r.temporal.eagerlyStarted)).toEqual(Array(7).fill(true));
    for (const result of results) expect(await firstTaskStartedWithTheStart(client, result.temporal.workflowId)).toBe(true);
    expect(made.every((m) => m.worker.worker.getState() === 'RUNNING')).toBe(true);
  });

  it('start once for five concurrent first runs', async () => {
    const { made, createWorker } = countingFactory();
    const flock = chainFlock(uniqueQueue('long-lived'), { createWorker, workerIdleShutdownMs: 30_000 });
    flocks.push(flock);
    const results = await Promise.all(Array.from({ length: 5 }, (_, n) => flock.run({ startAgent: 'first', input: { n } })));
    expect(results.map((r) => r.output)).toEqual([10, 20, 30, 40, 50].map((n) => ({ n })));
    expect(made).toHaveLength(1);
    expect(results.every((r) => r.temporal.eagerlyStarted)).toBe(true);
  });

  it('serve runs from flock.start until they end, then stop once idle', async () => {
    const { made, createWorker } = countingFactory();
    const flock = chainFlock(uniqueQueue('long-lived'), { createWorker, workerIdleShutdownMs: 200 });
    flocks.push(flock);
    const run = await flock.start({ startAgent: 'first', input: { n: 4 } });
    await expect(run.result()).resolves.toMatchObject({ output: { n: 50 } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(made[0]?.worker.worker.getState()).toBe('STOPPED');
    // and start again for the next run
    await expect(flock.run({ startAgent: 'first', input: { n: 0 } })).resolves.toMatchObject({ output: { n: 10 } });
    expect(made).toHaveLength(2);
  });
});

describe('flock.close()', () => {
  it('shuts the workers down at once (nothing polls the queue), is idempotent, and a later run starts them again', async () => {
    const { made, createWorker } = countingFactory();
    const queue = uniqueQueue('long-lived-close');
    const flock = chainFlock(queue, { createWorker, workerIdleShutdownMs: 60_000 });
    await expect(flock.run({ startAgent: 'first', input: { n: 1 } })).resolves.toMatchObject({ output: { n: 20 } });
    await flock.close();
    await flock.close();
    expect(made.map((m) => m.worker.worker.getState())).toEqual(['STOPPED']);
    // a run started by another client now waits: no worker takes its first workflow task
    const waiting = await startFlockWorkflow(client, buildFlockWorkflowStart(flock.toDefinition(), { startAgent: 'first', input: { n: 2 } }));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const history = await client.workflowService.getWorkflowExecutionHistory({ namespace: testServer().namespace, execution: { workflowId: waiting.workflowId } });
    expect(history.history?.events?.map((e) => e.eventType)).toEqual([EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED]);
    // the next run starts new workers, which serve the waiting run too
    const again = await flock.run({ startAgent: 'first', input: { n: 3 } });
    expect(again).toMatchObject({ output: { n: 40 }, temporal: { eagerlyStarted: true } });
    expect(made).toHaveLength(2);
    await expect(waiting.result()).resolves.toMatchObject({ output: { n: 30 } });
    await flock.close();
    expect(made.map((m) => m.worker.worker.getState())).toEqual(['STOPPED', 'STOPPED']);
  });
});

describe('a worker start that fails', () => {
  it('rejects the run with a clear error on an unreachable address, each run trying again', async () => {
    const flock = chainFlock(uniqueQueue('long-lived-down'), {}, { serverUrl: '127.0.0.1:1' });
    const first = await rejection(flock.run({ startAgent: 'first', input: { n: 1 } }));
    expect(first).toMatchObject({
      name: 'InProcessWorkerStartError',
      code: 'IN_PROCESS_WORKER_START_FAILED',
      flockName: flock.name,
      address: '127.0.0.1:1',
    });
    expect(first.message).toMatch(/could not start on Temporal at 127\.0\.0\.1:1 .*[Cc]onnection refused/);
    const second = await rejection(flock.run({ startAgent: 'first', input: { n: 1 } }));
    expect(second).toMatchObject({ name: 'InProcessWorkerStartError' });
    expect(second).not.toBe(first);
    await flock.close();
  });

  it('does not poison the next run', async () => {
    const { made, createWorker } = countingFactory();
    let calls = 0;
    const failingOnce = async (options: FlockWorkerOptions) => {
      if (calls++ === 0) throw new Error('no bundle today');
      return createWorker(options);
    };
    const flock = chainFlock(uniqueQueue('long-lived-retry'), { createWorker: failingOnce });
    await expect(flock.run({ startAgent: 'first', input: { n: 1 } })).rejects.toMatchObject({
      name: 'InProcessWorkerStartError',
      message: expect.stringContaining('no bundle today'),
    });
    await expect(flock.run({ startAgent: 'first', input: { n: 1 } })).resolves.toMatchObject({ output: { n: 20 }, temporal: { eagerlyStarted: true } });
    expect(made).toHaveLength(1);
    await flock.close();
  });
});

describe('without in-process workers', () => {
  const { startWorker } = workerHarness();

  it('starts runs on the shared client, not eagerly', async () => {
    const queue = uniqueQueue('long-lived-plain');
    const flock = new Flock({
      name: uniqueQueue('long-lived-plain'),
      executor: temporalExecutor(),
      temporalConfig: temporalConfigFor(queue),
      agents: [{ name: 'first', input: 'n: integer', output: 'n: integer', evaluate: ({ n }) => ({ n }) }],
    });
    await startWorker(flock, queue);
    const result = await flock.run({ startAgent: 'first', input: { n: 7 } });
    expect(result.temporal.eagerlyStarted).toBeUndefined();
    // the control of firstTaskStartedWithTheStart: a polled task starts in a later transaction
    expect(await firstTaskStartedWithTheStart(client, result.temporal.workflowId)).toBe(false);
    await flock.close();
  });
});

describe('a script that never calls flock.close()', () => {
  it('ends by itself shortly after its last run', async () => {
    const { address, namespace } = testServer();
    const fixture = path.join(__dirname, 'fixtures', 'run-once-without-close.ts');
    const child = spawn(process.execPath, ['--conditions=@flock-ts/source', '--import', 'tsx', fixture, address, namespace, uniqueQueue('long-lived-script')], {
      cwd: path.join(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let doneAt: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (doneAt === undefined && stdout.includes('"done":true')) doneAt = Date.now();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    clearTimeout(killer);
    const exitedAfterMs = doneAt === undefined ? undefined : Date.now() - doneAt;
    expect({ code, stderr: code === 0 ? '' : stderr.slice(-2_000) }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('{"done":true,"output":{"n":42}}');
    // the default idle time (1.5 s) and the workers' graceful shutdown, nothing near the 60 s kill
    expect(exitedAfterMs).toBeLessThan(6_000);
  });
});
