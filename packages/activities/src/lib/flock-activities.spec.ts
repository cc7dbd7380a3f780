import { AgentExecutionError, Flock, RoutingError } from '@flock-ts/core';
import { ModelAuthenticationError, ModelRateLimitError } from '@flock-ts/llm';
import type { EvaluateAgentOutput, RunState } from '@flock-ts/contracts';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFlockActivities, toApplicationFailure } from './flock-activities';

// The activity functions run in the SDK's activity context (MockActivityEnvironment
// provides it without a server); the integration tests in @flock-ts/temporal run
// them on a real Temporal server.

const state = (input: Record<string, unknown>): RunState => ({
  runId: 'r1',
  flockName: 'unit',
  startAgent: 'first',
  input,
  history: [],
  variables: {},
  iteration: 0,
});

type Evaluate = (inputs: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;

function unitFlock(evaluate: Evaluate = ({ text }) => ({ upper: String(text).toUpperCase() })) {
  return new Flock({
    name: 'unit',
    agents: [
      { name: 'first', input: 'text: string', output: 'upper: string', evaluate, next: (_ctx, out) => (out['upper'] === 'HI' ? 'second' : null) },
      { name: 'second', input: 'upper: string', output: 'done: boolean', evaluate: () => ({ done: true }) },
    ],
  });
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationFailure);
    return error as ApplicationFailure;
  }
  throw new Error('expected an ApplicationFailure');
}

describe('evaluateAgent', () => {
  it('evaluates the named agent of the named flock and returns its step', async () => {
    const activities = createFlockActivities({ flocks: [unitFlock()] });
    const outcome = (await new MockActivityEnvironment({ attempt: 2 }).run(activities.evaluateAgent, {
      flockName: 'unit',
      agentName: 'first',
      state: state({ text: 'hi' }),
    })) as EvaluateAgentOutput;
    expect(outcome.record).toMatchObject({ agent: 'first', inputs: { text: 'hi' }, output: { upper: 'HI' }, attempt: 2 });
  });

  it('fails retryably for a flock this worker does not host, so another worker may take it', async () => {
    const activities = createFlockActivities({ flocks: [unitFlock()] });
    const failure = await failureOf(
      new MockActivityEnvironment().run(activities.evaluateAgent, { flockName: 'other', agentName: 'first', state: state({}) }),
    );
    expect(failure.type).toBe('FlockNotRegisteredError');
    expect(failure.nonRetryable).toBeFalsy();
    expect(failure.message).toContain('hosts: unit');
  });

  it("types the failure by the evaluator's own error name, for nonRetryableErrorTypes", async () => {
    const activities = createFlockActivities({
      flocks: [
        unitFlock(() => {
          throw Object.assign(new Error('bad key'), { name: 'AuthError' });
        }),
      ],
    });
    const failure = await failureOf(
      new MockActivityEnvironment().run(activities.evaluateAgent, { flockName: 'unit', agentName: 'first', state: state({ text: 'x' }) }),
    );
    expect(failure.type).toBe('AuthError');
    expect(failure.message).toMatch(/first.*bad key/);
  });

  it('types an output that breaks the signature as AgentOutputValidationError', async () => {
    const activities = createFlockActivities({ flocks: [unitFlock(() => ({ upper: 42 }))] });
    const failure = await failureOf(
      new MockActivityEnvironment().run(activities.evaluateAgent, { flockName: 'unit', agentName: 'first', state: state({ text: 'x' }) }),
    );
    expect(failure.type).toBe('AgentOutputValidationError');
  });

  it('heartbeats while a slow evaluation runs when the step has a heartbeat timeout', async () => {
    const slow = unitFlock(async ({ text }) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { upper: String(text) };
    });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 300 });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    await env.run(createFlockActivities({ flocks: [slow] }).evaluateAgent, { flockName: 'unit', agentName: 'first', state: state({ text: 'x' }) });
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toEqual({ agent: 'first', alive: true });
  });
});

describe('routeNextAgent', () => {
  it("runs the agent's next function", async () => {
    const activities = createFlockActivities({ flocks: [unitFlock()] });
    const env = new MockActivityEnvironment();
    const input = { flockName: 'unit', agentName: 'first', state: state({ text: 'hi' }) };
    await expect(env.run(activities.routeNextAgent, { ...input, output: { upper: 'HI' } })).resolves.toEqual({ nextAgent: 'second' });
    await expect(env.run(activities.routeNextAgent, { ...input, output: { upper: 'NO' } })).resolves.toEqual({ nextAgent: null });
  });
});

describe('toApplicationFailure', () => {
  it('carries a retry delay and a non-retryable flag set on the error', () => {
    const failure = toApplicationFailure(Object.assign(new Error('slow down'), { name: 'RateLimited', nextRetryDelayMs: 1500, nonRetryable: true }));
    expect(failure.type).toBe('RateLimited');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.nextRetryDelay).toBe(1500);
  });

  it("keeps a model error's type and retry hints through core's wrapping", () => {
    const site = { agent: 'writer', provider: 'openai', model: 'gpt-4o-mini' };
    const limited = toApplicationFailure(new AgentExecutionError('writer', new ModelRateLimitError(site, { statusCode: 429, nextRetryDelayMs: 2000 })));
    expect([limited.type, limited.nonRetryable, limited.nextRetryDelay]).toEqual(['ModelRateLimitError', false, 2000]);
    const rejected = toApplicationFailure(new RoutingError('writer', 'triage', 'failed', new ModelAuthenticationError({ ...site, router: 'triage' })));
    expect([rejected.type, rejected.nonRetryable]).toEqual(['ModelAuthenticationError', true]);
  });
});
