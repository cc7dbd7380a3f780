import type { EvaluateAgentOutput, RunState } from '@flock-ts/contracts';
import { guardStepPayloads } from './payload-guard';

const state: RunState = { runId: 'r1', flockName: 'f', startAgent: 'a', input: {}, history: [], variables: {}, iteration: 0 };
const outcome = (text: string): EvaluateAgentOutput => ({
  record: { agent: 'writer', inputs: {}, output: { text }, startedAt: '2025-01-01T00:00:00.000Z', finishedAt: '2025-01-01T00:00:01.000Z' },
  variables: {},
});

function caught(fn: () => void): Error & Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a throw');
}

describe('guardStepPayloads', () => {
  it('lets a step under the limit pass', () => {
    expect(() => guardStepPayloads('writer', outcome('short'), state, 10_000)).not.toThrow();
  });

  it('fails an oversized output naming the agent, non-retryable', () => {
    const error = caught(() => guardStepPayloads('writer', outcome('x'.repeat(5_000)), state, 2_000));
    expect(error.name).toBe('PayloadTooLargeError');
    expect(error.message).toMatch(/^Output of agent "writer" is \d+ bytes, over the limit of 2000 bytes/);
    expect(error['agent']).toBe('writer');
    expect(error['nonRetryable']).toBe(true);
  });

  it('fails when the run state the step leaves behind outgrows the limit', () => {
    const earlier = outcome('y'.repeat(1_500)).record;
    const grown: RunState = { ...state, history: [earlier], iteration: 1 };
    const error = caught(() => guardStepPayloads('writer', outcome('z'.repeat(1_000)), grown, 2_000));
    expect(error.message).toMatch(/^Run state after agent "writer" \(2 steps\) is \d+ bytes/);
    expect(error.message).toContain('end the run sooner');
  });

  it('fails an output holding code, naming the agent and the path, non-retryable', () => {
    const bad = { ...outcome('ok'), record: { ...outcome('ok').record, output: { render: () => 'x' } } };
    const error = caught(() => guardStepPayloads('writer', bad, state));
    expect(error.name).toBe('SerializationError');
    expect(error['code']).toBe('NOT_SERIALIZABLE');
    expect(error['path']).toBe('output.render');
    expect(error.message).toMatch(/^Agent "writer" produced a value a Temporal run cannot store: output.render: a function/);
    expect(error['nonRetryable']).toBe(true);
  });

  it('fails variables holding a class instance', () => {
    const bad = { ...outcome('ok'), variables: { conn: new (class Socket {})() } };
    expect(caught(() => guardStepPayloads('writer', bad, state)).message).toContain('variables.conn: an instance of Socket');
  });

  it('defaults to a limit below Temporal 2 MiB', () => {
    expect(() => guardStepPayloads('writer', outcome('x'.repeat(1_000_000)), state)).not.toThrow();
    expect(caught(() => guardStepPayloads('writer', outcome('x'.repeat(2 * 1024 * 1024)), state)).name).toBe('PayloadTooLargeError');
  });
});
