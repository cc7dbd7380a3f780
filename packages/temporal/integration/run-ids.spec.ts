/**
 * Run ids on a real server: a run id names one run. Starting it again,
 * after it completed or while it runs, is refused with a clear error and
 * never runs the flock twice; ids too long for Temporal are refused before
 * anything starts, on both executors alike.
 */
import { Flock } from '@flock-ts/core';
import { rejection, temporalConfigFor, uniqueQueue } from './harness';
import { temporal } from '../src';

jest.setTimeout(60_000);

let executions = 0;
function counted(mode: 'local' | 'temporal'): Flock {
  return new Flock({
    name: uniqueQueue('run-ids'),
    ...(mode === 'temporal' ? { executor: temporal(), temporalStartInProcessWorker: true, temporalConfig: temporalConfigFor(uniqueQueue('run-ids')) } : {}),
    agents: [
      {
        name: 'once',
        input: 'x: string',
        output: 'x: string',
        evaluate: async ({ x }) => {
          executions++;
          await new Promise((resolve) => setTimeout(resolve, 300));
          return { x };
        },
      },
    ],
  });
}

describe.each(['local', 'temporal'] as const)('on the %s executor', (mode) => {
  it('refuses a run id or session id too long for Temporal before anything runs', async () => {
    const flock = counted(mode);
    const before = executions;
    await expect(flock.run({ startAgent: 'once', input: { x: 'a' }, runId: 'r'.repeat(1_200) })).rejects.toMatchObject({
      name: 'FlockConfigError',
      message: expect.stringContaining('runId: runId must be at most 200 characters'),
    });
    await expect(flock.run({ startAgent: 'once', input: { x: 'a' }, sessionId: 's'.repeat(5_000) })).rejects.toMatchObject({
      name: 'FlockConfigError',
      message: expect.stringContaining('sessionId: sessionId must be at most 200 characters'),
    });
    expect(executions).toBe(before);
  });
});

describe('a run id used twice on Temporal', () => {
  it('is refused after the first run completed, without running the flock again', async () => {
    const flock = counted('temporal');
    await flock.run({ startAgent: 'once', input: { x: 'a' }, runId: 'dup-after' });
    const before = executions;
    const error = await rejection(flock.run({ startAgent: 'once', input: { x: 'b' }, runId: 'dup-after' }));
    expect(error).toMatchObject({ name: 'FlockRunAlreadyStartedError', code: 'RUN_ALREADY_STARTED', runId: 'dup-after', workflowId: `${flock.name}-dup-after` });
    expect(error.message).toContain('a run is never started twice');
    expect(executions).toBe(before);
  });

  it('is refused while the first run is in flight: one run, one clear error', async () => {
    const flock = counted('temporal');
    const before = executions;
    const outcomes = await Promise.allSettled([1, 2].map(() => flock.run({ startAgent: 'once', input: { x: 'c' }, runId: 'dup-concurrent' })));
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected?.reason).toMatchObject({ name: 'FlockRunAlreadyStartedError' });
    expect(executions - before).toBe(1);
  });
});
