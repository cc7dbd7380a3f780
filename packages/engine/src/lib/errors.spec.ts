import { FlockError } from '@flock-ts/config/sandbox';
import { FlockRunFailedError, InvalidResponseError, InvalidRunCommandError, RUN_FAILURE_TYPES, runErrorCodeOfFailureType } from './errors';

describe('FlockRunFailedError', () => {
  it('carries code, agent, cause type and cause', () => {
    const cause = new Error('disk on fire');
    const error = new FlockRunFailedError('Agent "a" failed: disk on fire', { code: 'AGENT_FAILED', agent: 'a', causeType: 'Error', cause, workflowId: 'wf-1' });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'FlockRunFailedError',
      code: 'AGENT_FAILED',
      agent: 'a',
      causeType: 'Error',
      workflowId: 'wf-1',
      message: 'Agent "a" failed: disk on fire',
    });
    expect(error.cause).toBe(cause);
    expect(error.webUiUrl).toBeUndefined();
  });

  it('has no cause unless given one', () => {
    expect('cause' in new FlockRunFailedError('m', { code: 'MAX_ITERATIONS_EXCEEDED' })).toBe(false);
  });

  it('names the workflow failure type of its code', () => {
    expect(new FlockRunFailedError('m', { code: 'MAX_ITERATIONS_EXCEEDED' }).failureType).toBe('MaxIterationsExceededError');
    expect(new FlockRunFailedError('m', { code: 'CANCELLED' }).failureType).toBeUndefined();
  });

  it('is a non-retryable FlockError with its code; a look-alike is not one', () => {
    const error = new FlockRunFailedError('m', { code: 'AGENT_FAILED', cause: new Error('why') });
    expect(error).toBeInstanceOf(FlockError);
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', nonRetryable: true });
    expect((error.cause as Error).message).toBe('why');
    expect(Object.assign(new Error('m'), { name: 'FlockRunFailedError', code: 'TIMED_OUT' }) instanceof FlockRunFailedError).toBe(false);
  });

  it('has refusals that are FlockErrors with their own codes', () => {
    expect(new InvalidResponseError('no', ['a: b'])).toMatchObject({ name: 'InvalidResponseError', code: 'INVALID_RESPONSE', issues: ['a: b'] });
    expect(new InvalidRunCommandError('no')).toMatchObject({ name: 'InvalidRunCommandError', code: 'INVALID_RUN_COMMAND' });
    expect(new InvalidRunCommandError('no') instanceof InvalidResponseError).toBe(false);
  });
});

describe('runErrorCodeOfFailureType', () => {
  it('maps each failure type back to its code', () => {
    for (const [code, type] of Object.entries(RUN_FAILURE_TYPES)) expect(runErrorCodeOfFailureType(type)).toBe(code);
  });

  it('reads any other type as AGENT_FAILED', () => {
    expect(runErrorCodeOfFailureType('ToolError')).toBe('AGENT_FAILED');
    expect(runErrorCodeOfFailureType(undefined)).toBe('AGENT_FAILED');
  });
});
