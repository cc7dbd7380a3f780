import { Flock } from '@flock-ts/core';

// The client entry must not load the worker side: @temporalio/worker brings
// the native bridge and webpack, and flockctl or a web backend needs neither.
// Each package loads as a recording stand-in here.
const WORKER_SIDE = ['@temporalio/worker', '@temporalio/core-bridge', 'webpack', '@flock-ts/activities', '@flock-ts/workflows'];

function loadRecording(load: () => void): string[] {
  const loaded: string[] = [];
  jest.isolateModules(() => {
    for (const name of WORKER_SIDE) {
      jest.doMock(name, () => {
        loaded.push(name);
        return {};
      });
    }
    load();
  });
  return loaded;
}

describe('package entries', () => {
  afterEach(() => jest.resetModules());

  it('the client entry loads none of the worker side, even while making an executor and a run handle', () => {
    const loaded = loadRecording(() => {
      const { temporal } = require('./index') as typeof import('./index');
      const flock = new Flock({ name: 'client-only', executor: temporal(), agents: [{ name: 'a', input: 'x: string', output: 'x: string', evaluate: ({ x }) => ({ x }) }] });
      expect(flock.enableTemporal).toBe(true);
      expect(flock.getRun('some-workflow-id').id).toBe('some-workflow-id');
    });
    expect(loaded).toEqual([]);
  });

  it('the worker entry loads @temporalio/worker (the check above can fail)', () => {
    expect(loadRecording(() => require('./worker'))).toEqual(expect.arrayContaining(['@temporalio/worker', '@flock-ts/activities']));
  });

  it('a run with in-process workers and no @temporalio/worker installed says what to install', async () => {
    let flock!: Flock;
    jest.isolateModules(() => {
      jest.doMock('@temporalio/worker', () => {
        throw new Error("Cannot find module '@temporalio/worker' from 'in-process-workers.ts'");
      });
      const { temporal } = require('./index') as typeof import('./index');
      flock = new Flock({
        name: 'no-worker-sdk',
        executor: temporal(),
        temporalStartInProcessWorker: true,
        temporalConfig: { serverUrl: '127.0.0.1:1', taskQueue: 'q' },
        agents: [{ name: 'a', input: 'x: string', output: 'x: string', evaluate: ({ x }) => ({ x }) }],
      });
    });
    await expect(flock.run({ startAgent: 'a', input: { x: 'hi' } })).rejects.toMatchObject({
      name: 'InProcessWorkerStartError',
      message: expect.stringContaining('npm install @temporalio/worker @flock-ts/activities @flock-ts/workflows'),
    });
  });
});
