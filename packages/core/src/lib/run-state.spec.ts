import { defineAgent } from './agent';
import { Flock } from './flock';
import { createRunState } from './run-state';

const flock = new Flock({ name: 'demo', agents: [defineAgent({ name: 'only', input: 'a', output: 'a', evaluate: (x) => x })] });

describe('createRunState', () => {
  it('starts an empty run at the start agent', () => {
    const state = createRunState(flock, { startAgent: 'only', input: { a: 'x' }, runId: 'run-1', sessionId: 's' });
    expect(state).toEqual({ runId: 'run-1', sessionId: 's', flockName: 'demo', startAgent: 'only', input: { a: 'x' }, history: [], variables: {}, iteration: 0 });
  });

  it('gives each run a fresh id when none is given', () => {
    const a = createRunState(flock, { startAgent: 'only', input: {} });
    const b = createRunState(flock, { startAgent: 'only', input: {} });
    expect(a.runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.runId).not.toBe(b.runId);
  });

  it('rejects an unknown start agent, listing the known ones', () => {
    expect(() => createRunState(flock, { startAgent: 'ghost', input: {} })).toThrow('Unknown start agent "ghost" (known agents: only)');
  });

  it('rejects an input that is not an object', () => {
    expect(() => createRunState(flock, { startAgent: 'only', input: ['a'] as never })).toThrow('the run input must be an object');
  });
});
