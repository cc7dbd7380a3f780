import type { FlockRunFailedError, StepRecord } from '@flock-ts/core';
import { COLLATZ_START_AGENT, createCollatzFlock } from './collatz-flock';

async function failure(promise: Promise<unknown>): Promise<FlockRunFailedError> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (error: unknown) => error as FlockRunFailedError,
  );
}

describe('createCollatzFlock', () => {
  it('walks the sequence of 6 in 8 steps through the parity router', async () => {
    const steps: StepRecord[] = [];
    const result = await createCollatzFlock().run({ startAgent: COLLATZ_START_AGENT, input: { n: 6 }, onStep: (step) => steps.push(step) });
    // 6 -> 3 -> 10 -> 5 -> 16 -> 8 -> 4 -> 2 -> 1
    expect(steps.map((step) => step.output['n'])).toEqual([6, 3, 10, 5, 16, 8, 4, 2, 1]);
    expect(result.steps.map((step) => step.agent)).toEqual(['start', 'halve', 'triple', 'halve', 'triple', 'halve', 'halve', 'halve', 'halve']);
    expect(result.steps.map((step) => step.nextAgent)).toEqual(['halve', 'triple', 'halve', 'triple', 'halve', 'halve', 'halve', 'halve', null]);
    expect(result.stepCount).toBe(9);
    expect(result.output).toEqual({ n: 1, steps: 8 });
    expect(result.variables).toEqual({ peak: 16 });
  });

  it('routes with next functions when asked to', async () => {
    const flock = createCollatzFlock({ routing: 'next' });
    expect(flock.toDefinition().agents.map((agent) => agent.next)).toEqual([{ kind: 'code' }, { kind: 'code' }, { kind: 'code' }]);
    await expect(flock.run({ startAgent: 'start', input: { n: 6 } })).resolves.toMatchObject({ output: { n: 1, steps: 8 } });
  });

  it('records the router by name in its definition', () => {
    expect(createCollatzFlock().toDefinition().agents[1].next).toEqual({ kind: 'router', router: 'parity' });
  });

  it('ends at once for 1', async () => {
    const result = await createCollatzFlock().run({ startAgent: 'start', input: { n: 1 } });
    expect(result.steps).toHaveLength(1);
  });

  it('fails with MAX_ITERATIONS_EXCEEDED when the cap is lower than the sequence, naming the cycle', async () => {
    const steps: string[] = [];
    const error = await failure(createCollatzFlock({ maxIterations: 5 }).run({ startAgent: 'start', input: { n: 27 }, onStep: (step) => steps.push(step.agent) }));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'MAX_ITERATIONS_EXCEEDED', causeType: 'MaxIterationsExceededError' });
    // start(27) -> triple(82) -> halve(41) -> triple(124) -> halve(62), and halve is due again
    expect(steps).toEqual(['start', 'triple', 'halve', 'triple', 'halve']);
    expect(error.agent).toBe('halve');
    expect(error.message).toContain('maxIterations (5)');
    expect(error.message).toContain('cycle: halve -> halve');
  });

  it('runs a long sequence past the 20 steps a result keeps', async () => {
    const result = await createCollatzFlock().run({ startAgent: 'start', input: { n: 27 } });
    expect(result.stepCount).toBe(112);
    expect(result.steps).toHaveLength(20);
    expect(result.steps.at(-1)).toMatchObject({ step: 111, agent: 'halve', nextAgent: null });
    expect(result.output).toEqual({ n: 1, steps: 111 });
  });

  it('rejects a start value below 1, naming the field', async () => {
    const error = await failure(createCollatzFlock().run({ startAgent: 'start', input: { n: 0 } }));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'start', causeType: 'AgentInputValidationError' });
    expect(error.cause).toMatchObject({ name: 'AgentInputValidationError', agent: 'start', field: 'n' });
  });
});
