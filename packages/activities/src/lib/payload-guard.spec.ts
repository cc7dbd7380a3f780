import type { StepResult } from '@flock-ts/core';
import { guardSize, guardStepResult } from './payload-guard';

const result = (text: string, variables: Record<string, unknown> = {}): StepResult => ({
  output: { text },
  variables,
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:00:01.000Z',
  attempt: 1,
});

function caught(fn: () => void): Error & Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a throw');
}

describe('guardStepResult', () => {
  it('lets a step result under the limit pass', () => {
    const step = result('short');
    expect(() => guardStepResult('writer', step, step, 10_000)).not.toThrow();
  });

  it('fails an oversized result naming the agent, non-retryable', () => {
    const step = result('x'.repeat(5_000));
    const error = caught(() => guardStepResult('writer', step, step, 2_000));
    expect(error.name).toBe('PayloadTooLargeError');
    expect(error.message).toMatch(/^Output of agent "writer" is \d+ bytes, over the limit of 2000 bytes/);
    expect(error.message).toContain('return a reference to large data');
    expect(error['agent']).toBe('writer');
    expect(error['nonRetryable']).toBe(true);
  });

  it('measures the whole result, variables included', () => {
    const step = result('ok', { notes: 'n'.repeat(3_000) });
    expect(caught(() => guardStepResult('writer', step, step, 2_000)).name).toBe('PayloadTooLargeError');
  });

  it('fails an output holding code, naming the agent and the path, non-retryable', () => {
    const step = { ...result('ok'), output: { render: () => 'x' } };
    const error = caught(() => guardStepResult('writer', step, step));
    expect(error.name).toBe('SerializationError');
    expect(error['code']).toBe('NOT_SERIALIZABLE');
    expect(error['path']).toBe('output.render');
    expect(error.message).toMatch(/^Agent "writer" produced a value a Temporal run cannot store: output.render: a function/);
    expect(error['agent']).toBe('writer');
    expect(error['nonRetryable']).toBe(true);
  });

  it('fails variables holding a class instance', () => {
    const step = result('ok', { conn: new (class Socket {})() });
    expect(caught(() => guardStepResult('writer', step, step)).message).toContain('variables.conn: an instance of Socket');
  });

  it('checks what cannot be stored before the size', () => {
    const step = result('x'.repeat(5_000), { render: () => 'x' });
    expect(caught(() => guardStepResult('writer', step, step, 2_000)).name).toBe('SerializationError');
  });

  it('defaults to a limit below Temporal 2 MiB', () => {
    const fits = result('x'.repeat(1_000_000));
    expect(() => guardStepResult('writer', fits, fits)).not.toThrow();
    const over = result('x'.repeat(2 * 1024 * 1024));
    expect(caught(() => guardStepResult('writer', over, over)).name).toBe('PayloadTooLargeError');
  });
});

describe('guardSize', () => {
  it('passes a value under the limit', () => {
    expect(() => guardSize('writer', { a: 1 }, 'Run state', 'keep it small', 1_000)).not.toThrow();
  });

  it('fails a value over the limit with the subject and hint given, naming the agent, non-retryable', () => {
    const error = caught(() => guardSize('writer', { text: 'y'.repeat(3_000) }, 'Run state after agent "writer" (3 steps)', 'end the run sooner', 2_000));
    expect(error.name).toBe('PayloadTooLargeError');
    expect(error.message).toMatch(/^Run state after agent "writer" \(3 steps\) is \d+ bytes, over the limit of 2000 bytes/);
    expect(error.message).toContain('end the run sooner');
    expect(error['agent']).toBe('writer');
    expect(error['nonRetryable']).toBe(true);
  });

  it('defaults to the payload hint and limit', () => {
    expect(() => guardSize('writer', { text: 'x'.repeat(1_000_000) }, 'Output')).not.toThrow();
    const error = caught(() => guardSize('writer', { text: 'x'.repeat(2 * 1024 * 1024) }, 'Output'));
    expect(error.message).toContain('return a reference to large data');
  });
});
