import { FlockRunFailedError, RUN_FAILURE_TYPES, isFlockRunFailedError, runErrorCodeOfFailureType } from './errors';

describe('FlockRunFailedError', () => {
  it('carries code, agent, cause type and cause', () => {
    const cause = new Error('disk on fire');
    const error = new FlockRunFailedError('Agent "a" failed: disk on fire', { code: 'AGENT_FAILED', agent: 'a', causeType: 'Error', cause, workflowId: 'wf-1' });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'a', causeType: 'Error', workflowId: 'wf-1', message: 'Agent "a" failed: disk on fire' });
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

  it('is recognized by name and code, from any copy of the package', () => {
    expect(isFlockRunFailedError(new FlockRunFailedError('m', { code: 'AGENT_FAILED' }))).toBe(true);
    expect(isFlockRunFailedError(Object.assign(new Error('m'), { name: 'FlockRunFailedError', code: 'TIMED_OUT' }))).toBe(true);
    expect(isFlockRunFailedError(Object.assign(new Error('m'), { name: 'FlockRunFailedError' }))).toBe(false);
    expect(isFlockRunFailedError(new Error('m'))).toBe(false);
    expect(isFlockRunFailedError(undefined)).toBe(false);
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
