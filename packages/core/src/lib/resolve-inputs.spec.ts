import { defineAgent } from './agent';
import type { AgentInputValidationError, AgentOutputValidationError } from './errors';
import { validateAgentInputs, validateAgentOutput } from './resolve-inputs';

// Resolving inputs from the run (newest output, run input, variables) is the
// run loop's `nextStep`: see packages/engine/src/lib/run-loop.spec.ts.

const agent = defineAgent({ name: 'ranker', input: 'documents: string[], limit?: integer, tone: string', output: 'best: string', evaluate: () => ({ best: '' }) });

function thrown<T>(fn: () => unknown): T {
  try {
    fn();
  } catch (error) {
    return error as T;
  }
  throw new Error('expected an error');
}

describe('validateAgentInputs', () => {
  it('returns the parsed inputs', () => {
    expect(validateAgentInputs(agent, { documents: ['a'], tone: 'dry', limit: 2 })).toEqual({ documents: ['a'], tone: 'dry', limit: 2 });
  });

  it('names the agent and the missing field', () => {
    const error = thrown<AgentInputValidationError>(() => validateAgentInputs(agent, { documents: [] }));
    expect(error.name).toBe('AgentInputValidationError');
    expect(error.agent).toBe('ranker');
    expect(error.field).toBe('tone');
    expect(error.message).toContain('Agent "ranker" received invalid input "tone"');
    expect(error.message).toContain('not found in any earlier output, the run input or the variables');
  });

  it('names the agent and an invalid field', () => {
    const error = thrown<AgentInputValidationError>(() => validateAgentInputs(agent, { documents: 'nope', tone: 't' }));
    expect(error.field).toBe('documents');
    expect(error.message).not.toContain('not found');
  });

  it('does not touch the inputs', () => {
    const inputs = { documents: ['x'], tone: 't' };
    const copy = structuredClone(inputs);
    validateAgentInputs(agent, inputs);
    expect(inputs).toEqual(copy);
  });
});

describe('validateAgentOutput', () => {
  it('names the agent and the zod path of the offending field', () => {
    const nested = defineAgent({ name: 'lister', input: '', output: 'items: { title: string }[]', evaluate: () => ({ items: [] }) });
    const error = thrown<AgentOutputValidationError>(() => validateAgentOutput(nested, { items: [{ title: 'a' }, { title: 2 }] }));
    expect(error.name).toBe('AgentOutputValidationError');
    expect(error.field).toBe('items[1].title');
    expect(error.message).toContain('Agent "lister" returned invalid output "items[1].title"');
  });

  it('rejects an output that is not an object', () => {
    const error = thrown<AgentOutputValidationError>(() => validateAgentOutput(agent, 'best'));
    expect(error.field).toBe('');
  });
});
