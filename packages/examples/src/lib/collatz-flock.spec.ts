import type { MaxIterationsExceededError } from '@flock-ts/core';
import { COLLATZ_START_AGENT, createCollatzFlock } from './collatz-flock';

describe('createCollatzFlock', () => {
  it('walks the sequence of 6 in 8 steps through the parity router', async () => {
    const result = await createCollatzFlock().run({ startAgent: COLLATZ_START_AGENT, input: { n: 6 } });
    // 6 -> 3 -> 10 -> 5 -> 16 -> 8 -> 4 -> 2 -> 1
    expect(result.steps.map((step) => step.output.n)).toEqual([6, 3, 10, 5, 16, 8, 4, 2, 1]);
    expect(result.steps.map((step) => step.agent)).toEqual(['start', 'halve', 'triple', 'halve', 'triple', 'halve', 'halve', 'halve', 'halve']);
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

  it('ends in MaxIterationsExceededError when the cap is lower than the sequence', async () => {
    const error = (await createCollatzFlock({ maxIterations: 5 })
      .run({ startAgent: 'start', input: { n: 27 } })
      .catch((e) => e)) as MaxIterationsExceededError;
    expect(error.name).toBe('MaxIterationsExceededError');
    expect(error.path).toHaveLength(5);
    expect(error.cycle.length).toBeGreaterThan(1);
  });

  it('rejects a start value below 1, naming the field', async () => {
    await expect(createCollatzFlock().run({ startAgent: 'start', input: { n: 0 } })).rejects.toMatchObject({
      name: 'AgentInputValidationError',
      agent: 'start',
      field: 'n',
    });
  });
});
