import { defineAgent } from './agent';
import type { AgentInputValidationError, AgentOutputValidationError } from './errors';
import { resolveAgentInputs, validateAgentOutput } from './resolve-inputs';
import type { RunState, StepRecord } from './run-state';

const agent = defineAgent({ name: 'ranker', input: 'documents: string[], limit?: integer, tone: string', output: 'best: string', evaluate: () => ({ best: '' }) });

function step(name: string, output: Record<string, unknown>): StepRecord {
  return { agent: name, inputs: {}, output, startedAt: '2024-01-01T00:00:00.000Z', finishedAt: '2024-01-01T00:00:00.000Z' };
}

function state(overrides: Partial<RunState> = {}): RunState {
  return { runId: 'r', flockName: 'f', startAgent: 'reader', input: {}, history: [], variables: {}, iteration: 0, ...overrides };
}

function thrown<T>(fn: () => unknown): T {
  try {
    fn();
  } catch (error) {
    return error as T;
  }
  throw new Error('expected an error');
}

describe('resolveAgentInputs', () => {
  it('takes each field from the newest step output that has it', () => {
    const inputs = resolveAgentInputs(
      agent,
      state({ history: [step('a', { documents: ['old'], tone: 'dry' }), step('b', { documents: ['new'] }), step('c', { other: 1 })] }),
    );
    expect(inputs).toEqual({ documents: ['new'], tone: 'dry' });
  });

  it('falls back to the run input, then to the variables', () => {
    const inputs = resolveAgentInputs(agent, state({ input: { documents: ['in'], tone: 'input' }, variables: { tone: 'var', limit: 3 } }));
    expect(inputs).toEqual({ documents: ['in'], tone: 'input', limit: 3 });
  });

  it('prefers step outputs over the run input', () => {
    const inputs = resolveAgentInputs(agent, state({ input: { documents: ['in'], tone: 'input' }, history: [step('a', { tone: 'step' })] }));
    expect(inputs.tone).toBe('step');
  });

  it('skips outputs whose value is undefined', () => {
    const inputs = resolveAgentInputs(agent, state({ input: { documents: [], tone: 'input' }, history: [step('a', { tone: undefined })] }));
    expect(inputs.tone).toBe('input');
  });

  it('leaves out fields the agent does not declare', () => {
    const inputs = resolveAgentInputs(agent, state({ input: { documents: [], tone: 't', secret: 'x' } }));
    expect(inputs).not.toHaveProperty('secret');
  });

  it('names the agent and the missing field', () => {
    const error = thrown<AgentInputValidationError>(() => resolveAgentInputs(agent, state({ input: { documents: [] } })));
    expect(error.name).toBe('AgentInputValidationError');
    expect(error.agent).toBe('ranker');
    expect(error.field).toBe('tone');
    expect(error.message).toContain('Agent "ranker" received invalid input "tone"');
    expect(error.message).toContain('not found in any earlier output, the run input or the variables');
  });

  it('names the agent and an invalid field', () => {
    const error = thrown<AgentInputValidationError>(() => resolveAgentInputs(agent, state({ input: { documents: 'nope', tone: 't' } })));
    expect(error.field).toBe('documents');
    expect(error.message).not.toContain('not found');
  });

  it('does not touch the state', () => {
    const before = state({ input: { documents: ['x'], tone: 't' }, history: [step('a', { limit: 2 })] });
    const copy = structuredClone(before);
    resolveAgentInputs(agent, before);
    expect(before).toEqual(copy);
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
