import { FlockError } from '@flock-ts/config';
import {
  AgentExecutionError,
  AgentInputValidationError,
  AgentOutputValidationError,
  ComponentError,
  DefinitionDriftError,
  ExecutorNotAvailableError,
  FlockRunFailedError,
  RoutingError,
  ToolError,
  UnknownAgentError,
  errorName,
  failureTypeOf,
  retryHints,
} from './errors';

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
    expect(new AgentExecutionError('writer', new Error('plain')).nonRetryable).toBe(false);
  });

  it('say themselves that no retry can fix a bad input, a bad output or an unknown agent', () => {
    const issues = [{ path: 'n', message: 'bad' }];
    expect(new AgentInputValidationError('writer', 'n', issues)).toMatchObject({ code: 'INVALID_AGENT_INPUT', nonRetryable: true });
    expect(new AgentOutputValidationError('writer', 'n', issues)).toMatchObject({ code: 'INVALID_AGENT_OUTPUT', nonRetryable: true });
    expect(new UnknownAgentError('ghost', ['a']).nonRetryable).toBe(true);
    expect(new ToolError('search', 'writer', 'failed', 'failed: offline').nonRetryable).toBe(false);
  });

  it('are FlockErrors that instanceof tells apart', () => {
    const error = new UnknownAgentError('ghost', ['a']);
    expect(error).toBeInstanceOf(FlockError);
    expect(error instanceof UnknownAgentError).toBe(true);
    expect(error instanceof ToolError).toBe(false);
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

  it('name the agent and every difference of a definition drift, non-retryable', () => {
    const error = new DefinitionDriftError('writer', ['the output signature of "writer" differs', 'the set of agent names differs']);
    expect(error).toMatchObject({ name: 'DefinitionDriftError', code: 'DEFINITION_DRIFT', agent: 'writer', nonRetryable: true });
    expect(error.message).toContain(
      `Agent "writer" cannot run here: this worker's flock differs from the definition the run started with (the output signature of "writer" differs; the set of agent names differs)`,
    );
    expect(error.message).toContain('new workflowVersion');
  });

  it('re-export the run failure of @flock-ts/engine', () => {
    const error = new FlockRunFailedError('Agent "a" failed: boom', { code: 'AGENT_FAILED', agent: 'a', causeType: 'Error' });
    expect(error).toBeInstanceOf(FlockError);
    expect(error.code).toBe('AGENT_FAILED');
    expect(error.failureType).toBe('AgentExecutionError');
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
    expect(new ExecutorNotAvailableError('temporal', 'prod').message).toContain('executor: temporal()');
  });
});

describe('failureTypeOf', () => {
  it('is the name of the cause a Flock error wraps', () => {
    class QuotaError extends Error {
      override name = 'QuotaError';
    }
    expect(failureTypeOf(new AgentExecutionError('writer', new QuotaError('out of tokens')))).toBe('QuotaError');
    expect(failureTypeOf(new AgentExecutionError('writer', new Error('plain')))).toBe('Error');
    expect(failureTypeOf(new ComponentError('audit', 'writer', 'onInitialize', new RangeError('x')))).toBe('RangeError');
  });

  it("is the error's own name when it wraps nothing", () => {
    expect(failureTypeOf(new AgentOutputValidationError('writer', 'n', [{ path: 'n', message: 'bad' }]))).toBe('AgentOutputValidationError');
    expect(failureTypeOf(new UnknownAgentError('ghost', ['a']))).toBe('UnknownAgentError');
    expect(failureTypeOf(new ToolError('search', 'writer', 'not-allowed', 'is not allowed'))).toBe('ToolError');
  });

  it("reads a plain error's cause, and names non-errors by type", () => {
    expect(failureTypeOf(new Error('outer', { cause: new TypeError('inner') }))).toBe('TypeError');
    expect(failureTypeOf('boom')).toBe('string');
  });
});
