import { Flock } from '@flock-ts/core';
import type { NativeConnection } from '@temporalio/worker';
import { resolveConnection } from './connection';
import { InProcessWorkers, type InProcessWorkersOptions } from './in-process-workers';
import { inProcessTaskQueues } from './temporal-executor';
import type { FlockWorker, FlockWorkerOptions } from './worker-factory';

const flock = new Flock({
  name: 'iw',
  temporalConfig: { taskQueue: 'main' },
  agents: [
    { name: 'a', input: 'n: integer', output: 'n: integer', evaluate: ({ n }) => ({ n }), next: 'b' },
    { name: 'b', input: 'n: integer', output: 'n: integer', evaluate: ({ n }) => ({ n }), temporalActivityConfig: { taskQueue: 'side' } },
  ],
});
const connection = resolveConnection({ serverUrl: 'localhost:1', namespace: 'ns' }, {});

/** A worker that runs until shut down (or `stopBySelf`). */
function fakeWorker(options: FlockWorkerOptions) {
  let stop!: () => void;
  const done = new Promise<void>((resolve) => (stop = resolve));
  const worker = {
    taskQueue: options.taskQueue,
    nativeConnection: options.nativeConnection,
    worker: {} as FlockWorker['worker'],
    connection: options.nativeConnection as NativeConnection,
    run: jest.fn(() => done),
    polling: jest.fn(async () => undefined),
    shutdown: jest.fn(async () => {
      stop();
      await done;
    }),
    stopBySelf: () => stop(),
  };
  return worker;
}

function harness(overrides: Partial<InProcessWorkersOptions> = {}) {
  const workers: Array<ReturnType<typeof fakeWorker>> = [];
  const connections: Array<{ close: jest.Mock }> = [];
  const createWorker = jest.fn(async (options: FlockWorkerOptions) => {
    const worker = fakeWorker(options);
    workers.push(worker);
    return worker;
  });
  const connect = jest.fn(async () => {
    const conn = { close: jest.fn(async () => undefined) };
    connections.push(conn);
    return conn as unknown as NativeConnection;
  });
  const set = new InProcessWorkers({ flock, connection, idleShutdownMs: 20, createWorker, connect, ...overrides });
  return { set, workers, connections, createWorker, connect };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('inProcessTaskQueues', () => {
  it("is the run's queue, the activity defaults' queue and every agent's own, once each", () => {
    expect(inProcessTaskQueues(flock.toDefinition())).toEqual(['main', 'side']);
    expect(inProcessTaskQueues(flock.toDefinition(), 'other')).toEqual(['other', 'side']);
  });
});

describe('InProcessWorkers', () => {
  it('starts one worker per queue on one shared connection, once for concurrent first acquires, and reuses them', async () => {
    const { set, workers, connections, createWorker, connect } = harness();
    const leases = await Promise.all(Array.from({ length: 5 }, () => set.acquire(['main', 'side'])));
    expect(connect).toHaveBeenCalledTimes(1);
    expect(createWorker).toHaveBeenCalledTimes(2);
    expect(workers.map((w) => w.taskQueue)).toEqual(['main', 'side']);
    expect(workers.every((w) => w.nativeConnection === (connections[0] as unknown))).toBe(true);
    expect(workers.every((w) => w.polling.mock.calls.length === 1)).toBe(true);
    // every lease has the client on the workers' connection
    expect(leases.every((lease) => lease.client === leases[0]?.client && lease.client.connection === (connections[0] as unknown))).toBe(true);
    leases.forEach((lease) => lease.release());
    const again = await set.acquire(['main', 'side']);
    again.release();
    expect(createWorker).toHaveBeenCalledTimes(2);
    expect(set.workersStarted).toBe(2);
    await set.close();
  });

  it('shuts the workers down once no lease was held for the idle time, not while one is held', async () => {
    const { set, workers, connections } = harness();
    const first = await set.acquire(['main']);
    const second = await set.acquire(['main']);
    first.release();
    first.release(); // idempotent: the second lease still holds them
    await sleep(60);
    expect(workers[0]?.shutdown).not.toHaveBeenCalled();
    second.release();
    await sleep(60);
    expect(workers[0]?.shutdown).toHaveBeenCalledTimes(1);
    expect(connections[0]?.close).toHaveBeenCalledTimes(1);
    expect(set.active).toBe(false);
  });

  it('keeps the workers when a run comes within the idle time', async () => {
    const { set, workers, createWorker } = harness({ idleShutdownMs: 80 });
    (await set.acquire(['main'])).release();
    await sleep(30);
    const lease = await set.acquire(['main']);
    await sleep(100);
    expect(workers[0]?.shutdown).not.toHaveBeenCalled();
    lease.release();
    expect(createWorker).toHaveBeenCalledTimes(1);
    await set.close();
  });

  it('does not keep the process alive with its idle timer', async () => {
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    try {
      const { set } = harness({ idleShutdownMs: 10_000 });
      (await set.acquire(['main'])).release();
      const timer = setTimeoutSpy.mock.results.map((r) => r.value as NodeJS.Timeout).find((t) => typeof t?.hasRef === 'function' && !t.hasRef());
      expect(timer).toBeDefined();
      await set.close();
    } finally {
      setTimeoutSpy.mockRestore();
    }
  });

  it('close() stops the workers and the connection at once, is idempotent, and a later acquire starts them again', async () => {
    const { set, workers, connections, createWorker } = harness({ idleShutdownMs: 60_000 });
    (await set.acquire(['main'])).release();
    await set.close();
    await set.close();
    expect(workers[0]?.shutdown).toHaveBeenCalledTimes(1);
    expect(connections[0]?.close).toHaveBeenCalledTimes(1);
    const lease = await set.acquire(['main']);
    expect(createWorker).toHaveBeenCalledTimes(2);
    expect(lease.client.connection).toBe(connections[1]);
    lease.release();
    await set.close();
  });

  it('close() also waits for workers still shutting down after their idle time', async () => {
    const { set, workers } = harness({ idleShutdownMs: 10 });
    (await set.acquire(['main'])).release();
    const worker = workers[0];
    let finishShutdown!: () => void;
    const slow = new Promise<void>((resolve) => (finishShutdown = resolve));
    worker?.shutdown.mockImplementationOnce(async () => {
      await slow;
      worker.stopBySelf();
    });
    await sleep(40);
    expect(worker?.shutdown).toHaveBeenCalledTimes(1);
    let closed = false;
    const closing = set.close().then(() => (closed = true));
    await sleep(20);
    expect(closed).toBe(false);
    finishShutdown();
    await closing;
    expect(closed).toBe(true);
  });

  it('rejects the acquire whose worker failed to start with InProcessWorkerStartError, and the next one tries again', async () => {
    const { set, workers, createWorker } = harness();
    createWorker.mockImplementationOnce(async () => {
      throw new Error('bundle broke');
    });
    const error = await set.acquire(['main']).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'InProcessWorkerStartError',
      code: 'IN_PROCESS_WORKER_START_FAILED',
      flockName: 'iw',
      taskQueues: ['main'],
      message: expect.stringContaining('bundle broke'),
    });
    expect((error as Error).cause).toMatchObject({ message: 'bundle broke' });
    const lease = await set.acquire(['main']);
    expect(createWorker).toHaveBeenCalledTimes(2);
    expect(workers).toHaveLength(1);
    lease.release();
    await set.close();
  });

  it('shuts down a worker that never polled, and starts a new one next time', async () => {
    const { set, createWorker } = harness();
    let failed: ReturnType<typeof fakeWorker> | undefined;
    createWorker.mockImplementationOnce(async (options) => {
      failed = fakeWorker(options);
      failed.polling.mockRejectedValueOnce(new Error('Flock worker on main is FAILED, not polling'));
      return failed;
    });
    await expect(set.acquire(['main'])).rejects.toMatchObject({ name: 'InProcessWorkerStartError', message: expect.stringContaining('not polling') });
    expect(failed?.shutdown).toHaveBeenCalled();
    (await set.acquire(['main'])).release();
    expect(createWorker).toHaveBeenCalledTimes(2);
    await set.close();
  });

  it('tries the connection again after it failed', async () => {
    const { set, connect } = harness();
    connect.mockRejectedValueOnce(new Error('Connection refused'));
    await expect(set.acquire(['main'])).rejects.toMatchObject({
      name: 'InProcessWorkerStartError',
      address: 'localhost:1',
      namespace: 'ns',
      message: expect.stringContaining('Connection refused'),
    });
    (await set.acquire(['main'])).release();
    expect(connect).toHaveBeenCalledTimes(2);
    await set.close();
  });

  it('starts only the worker of a queue the set does not have yet', async () => {
    const { set, createWorker } = harness();
    (await set.acquire(['main'])).release();
    (await set.acquire(['main', 'side'])).release();
    expect(createWorker.mock.calls.map(([options]) => options.taskQueue)).toEqual(['main', 'side']);
    await set.close();
  });

  it('starts a new set after a worker stopped by itself (e.g. on SIGINT)', async () => {
    const { set, workers, connections, createWorker } = harness({ idleShutdownMs: 60_000 });
    const lease = await set.acquire(['main']);
    workers[0]?.stopBySelf();
    await sleep(0);
    expect(set.active).toBe(false);
    expect(connections[0]?.close).toHaveBeenCalled();
    lease.release();
    (await set.acquire(['main'])).release();
    expect(createWorker).toHaveBeenCalledTimes(2);
    await set.close();
  });

  it('fails an acquire that close() overtook while the workers were starting', async () => {
    const { set, createWorker } = harness();
    let resolveCreate!: () => void;
    const gate = new Promise<void>((resolve) => (resolveCreate = resolve));
    createWorker.mockImplementationOnce(async (options) => {
      await gate;
      return fakeWorker(options);
    });
    const acquiring = set.acquire(['main']);
    await sleep(0);
    const closing = set.close();
    resolveCreate();
    await expect(acquiring).rejects.toMatchObject({ name: 'InProcessWorkerStartError', message: expect.stringContaining('closed') });
    await closing;
    expect(set.active).toBe(false);
  });
});
