import {
  AgentExecutionError,
  ComponentError,
  ExecutorNotAvailableError,
  RoutingError,
  MaxIterationsExceededError,
  ToolError,
  UnknownAgentError,
  errorName,
  findCycle,
  retryHints,
} from './errors';

describe('findCycle', () => {
  it('returns the repeating part of the path closed by the next agent', () => {
    expect(findCycle(['start', 'a', 'b', 'a', 'b'], 'a')).toEqual(['a', 'b', 'a']);
  });

  it('returns a self-loop as two entries', () => {
    expect(findCycle(['start', 'loop', 'loop'], 'loop')).toEqual(['loop', 'loop']);
  });

  it('returns nothing when the next agent never ran', () => {
    expect(findCycle(['a', 'b'], 'c')).toEqual([]);
  });
});

describe('errors', () => {
  it('carry a name and a code that survive serialization', () => {
    const error = new UnknownAgentError('ghost', ['a', 'b'], 'start agent');
    const copy = JSON.parse(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
    expect(copy).toEqual({ name: 'UnknownAgentError', code: 'UNKNOWN_AGENT', message: 'Unknown start agent "ghost" (known agents: a, b)' });
  });

  it('keep the cause name of a wrapped evaluator error', () => {
    class QuotaError extends Error {
      override name = 'QuotaError';
    }
    const error = new AgentExecutionError('writer', new QuotaError('out of tokens'));
    expect(error.message).toBe('Agent "writer" failed: QuotaError: out of tokens');
    expect(error.causeName).toBe('QuotaError');
    expect((error.cause as Error).message).toBe('out of tokens');
  });

  it('copy the retry hints of the cause so a Temporal activity can honour them', () => {
    const rateLimited = Object.assign(new Error('slow down'), { name: 'ModelRateLimitError', nextRetryDelayMs: 1500 });
    const rejected = Object.assign(new Error('bad key'), { name: 'ModelAuthenticationError', nonRetryable: true });
    expect(new AgentExecutionError('writer', rateLimited)).toMatchObject({ nextRetryDelayMs: 1500, causeName: 'ModelRateLimitError' });
    expect(new AgentExecutionError('writer', rejected).nonRetryable).toBe(true);
    expect(new RoutingError('writer', 'triage', 'failed: bad key', rejected).nonRetryable).toBe(true);
    expect(new AgentExecutionError('writer', new Error('plain')).nonRetryable).toBeUndefined();
  });

  it('read only well-formed retry hints', () => {
    expect(retryHints({ nonRetryable: 'yes', nextRetryDelayMs: -5 })).toEqual({});
    expect(retryHints({ nonRetryable: false, nextRetryDelayMs: 0 })).toEqual({ nonRetryable: false, nextRetryDelayMs: 0 });
    expect(retryHints('boom')).toEqual({});
  });

  it('describe a thrown non-error by its type', () => {
    expect(errorName('boom')).toBe('string');
    expect(new AgentExecutionError('a', 'boom').message).toBe('Agent "a" failed: string: boom');
  });

  it('name the cycle of an exceeded iteration cap', () => {
    const error = new MaxIterationsExceededError('demo', 4, ['start', 'a', 'b', 'a'], 'b');
    expect(error.cycle).toEqual(['b', 'a', 'b']);
    expect(error.message).toContain('maxIterations (4)');
    expect(error.message).toContain('cycle: b -> a -> b');
  });

  it('name tool and agent of a tool failure', () => {
    const error = new ToolError('search', 'researcher', 'failed', 'failed: offline', new TypeError('offline'));
    expect(error.message).toBe('Tool "search" called by agent "researcher" failed: offline');
    expect(error.causeName).toBe('TypeError');
  });

  it('name component, agent and hook of a component failure', () => {
    const error = new ComponentError('audit', 'writer', 'onPreEvaluate', new Error('nope'));
    expect(error.message).toBe('Component "audit" of agent "writer" failed in onPreEvaluate: Error: nope');
  });

  it('tell the user which package registers the Temporal executor', () => {
    expect(new ExecutorNotAvailableError('temporal', 'prod').message).toContain("import '@flock-ts/temporal'");
  });
});
