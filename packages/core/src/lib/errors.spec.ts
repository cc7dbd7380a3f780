import { FlockError } from '@flock-ts/config';
import { stepFailure } from '@flock-ts/engine';
import { clearRegisteredSecretValues, registerSecretValues } from '@flock-ts/secrets';
import { FAKE } from '@flock-ts/secrets/testing';
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

/** How often a text says `"<name>"`. */
function mentions(text: string, name: string): number {
  return text.split(`"${name}"`).length - 1;
}

/** A model error of `@flock-ts/llm` as core sees it: a named error whose message names the agent (or router and agent) already. */
function modelError(name: string, message: string, hints: { nonRetryable?: boolean; nextRetryDelayMs?: number } = {}): Error {
  return Object.assign(new Error(message), { name, agent: 'writer', ...hints });
}

const rejected = modelError(
  'ModelAuthenticationError',
  'Agent "writer": model provider "openai" (model "gpt-4o-mini") rejected the credentials (HTTP 401): Incorrect API key provided; check the API key in the environment',
  { nonRetryable: true },
);

describe('error messages name the agent once', () => {
  it('tell a model error of the agent as it is, keeping the cause name and the retry hints', () => {
    const error = new AgentExecutionError('writer', rejected);
    expect(error.message).toBe(rejected.message);
    expect(mentions(error.message, 'writer')).toBe(1);
    expect(error).toMatchObject({ name: 'AgentExecutionError', code: 'AGENT_FAILED', agent: 'writer', causeName: 'ModelAuthenticationError', nonRetryable: true });
    const limited = new AgentExecutionError(
      'writer',
      modelError('ModelRateLimitError', 'Agent "writer": model provider "openai" (model "m") is rate limiting', { nextRetryDelayMs: 1000 }),
    );
    expect(limited).toMatchObject({ nextRetryDelayMs: 1000, nonRetryable: false });
  });

  it('name the agent once in the run failure built from an agent failure', () => {
    const wrapped = new AgentExecutionError('writer', rejected);
    const failure = stepFailure('writer', { name: failureTypeOf(wrapped), message: wrapped.message }, wrapped);
    expect(failure.message).toBe(rejected.message);
    expect(failure).toMatchObject({ code: 'AGENT_FAILED', agent: 'writer', causeType: 'ModelAuthenticationError' });
    const plain = new AgentExecutionError('writer', new TypeError('x is undefined'));
    expect(stepFailure('writer', { name: 'TypeError', message: plain.message }).message).toBe('Agent "writer" failed: TypeError: x is undefined');
  });

  it('tell a tool failure of the agent as it is', () => {
    const tool = new ToolError('search', 'writer', 'failed', 'failed: offline', new TypeError('offline'));
    expect(mentions(tool.message, 'writer')).toBe(1);
    expect(mentions(new AgentExecutionError('writer', tool).message, 'writer')).toBe(1);
  });

  it('name router and agent once each when a model router fails', () => {
    const cause = modelError('ModelProviderError', 'Router "triage" after agent "writer": model provider "openai" (model "m") could not be reached');
    const error = new RoutingError('writer', 'triage', `failed: ${cause.message}`, cause);
    expect([mentions(error.message, 'writer'), mentions(error.message, 'triage')]).toEqual([1, 1]);
    expect(error.message).toBe(cause.message);
    expect(error.causeName).toBe('ModelProviderError');
  });

  it('name router and agent of other routing failures as before', () => {
    expect(new RoutingError('writer', 'triage', 'failed: router broke', new Error('router broke')).message).toBe(
      'Routing after agent "writer" (router "triage") failed: router broke',
    );
    expect(new RoutingError('writer', 'next', 'failed: no route', new Error('no route')).message).toBe('Routing after agent "writer" (next function) failed: no route');
  });
});

describe('error messages cut credentials out', () => {
  afterEach(() => clearRegisteredSecretValues());

  it('of the cause of an agent failure, keeping the cause itself unchanged', () => {
    const cause = new Error(`401: Incorrect API key provided: ${FAKE.openai}`);
    const error = new AgentExecutionError('writer', cause);
    expect(error.message).toBe('Agent "writer" failed: Error: 401: Incorrect API key provided: [redacted]');
    expect(error.causeMessage).toBe('401: Incorrect API key provided: [redacted]');
    expect(error.cause).toBe(cause);
  });

  it('including the values the process registered, whatever their shape', () => {
    registerSecretValues(['local-test-key-123']);
    const model = modelError('ModelAuthenticationError', 'Agent "writer": model provider "x" (model "m") rejected the credentials: bad key local-test-key-123');
    expect(new AgentExecutionError('writer', model).message).not.toContain('local-test-key-123');
    const routed = modelError('ModelAuthenticationError', 'Router "triage" after agent "writer": bad key local-test-key-123');
    expect(new RoutingError('writer', 'triage', `failed: ${routed.message}`, routed).message).toBe('Router "triage" after agent "writer": bad key [redacted]');
    expect(new ToolError('search', 'writer', 'failed', 'failed: 401 for local-test-key-123').message).toBe('Tool "search" called by agent "writer" failed: 401 for [redacted]');
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
