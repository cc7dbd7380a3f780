import { AgentExecutionError, Flock, RoutingError, type AgentContext, type StepRequest, type StepResult } from '@flock-ts/core';
import { ModelAuthenticationError, ModelRateLimitError } from '@flock-ts/llm';
import type { EvaluateAgentOutput, RunStateV1 } from '@flock-ts/contracts';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFlockActivities, toApplicationFailure, untilAborted } from './flock-activities';

// The activity functions run in the SDK's activity context (MockActivityEnvironment
// provides it without a server); the integration tests in @flock-ts/temporal run
// them on a real Temporal server.

type Evaluate = (inputs: Record<string, unknown>, ctx: AgentContext) => Record<string, unknown> | Promise<Record<string, unknown>>;

const upper: Evaluate = ({ text }) => ({ upper: String(text).toUpperCase() });

/** `first` hands off by code: to `second` when it said HI, else the run ends. */
function unitFlock(evaluate: Evaluate = upper, firstOutput = 'upper: string') {
  return new Flock({
    name: 'unit',
    agents: [
      { name: 'first', input: 'text: string', output: firstOutput, evaluate, next: (_ctx, out) => (out['upper'] === 'HI' ? 'second' : null) },
      { name: 'second', input: 'upper: string', output: 'done: boolean', evaluate: () => ({ done: true }) },
    ],
  });
}

/**
 * The request the run loop sends for a step of `agent`: its resolved inputs,
 * the variables before it, and the fingerprint of the definition the run
 * follows (by default the live flock's own: no drift).
 */
function stepRequest(flock: Flock, agent: string, inputs: Record<string, unknown>, over: Partial<StepRequest> = {}): StepRequest {
  return {
    flockName: flock.name,
    agent,
    runId: 'r1',
    step: 0,
    inputs,
    variables: {},
    input: inputs,
    fingerprint: flock.stepFingerprint(agent),
    ...over,
  };
}

const stateV1 = (input: Record<string, unknown>): RunStateV1 => ({
  runId: 'r1',
  flockName: 'unit',
  startAgent: 'first',
  input,
  history: [],
  variables: {},
  iteration: 0,
});

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationFailure);
    return error as ApplicationFailure;
  }
  throw new Error('expected an ApplicationFailure');
}

describe('runAgentStep', () => {
  it('runs the requested step of the named flock and returns its result with the attempt', async () => {
    const flock = unitFlock();
    const activities = createFlockActivities({ flocks: [flock] });
    const result = (await new MockActivityEnvironment({ attempt: 2 }).run(activities.runAgentStep, stepRequest(flock, 'first', { text: 'hi' }))) as StepResult;
    expect(result).toMatchObject({ output: { upper: 'HI' }, variables: {}, attempt: 2, nextAgent: 'second' });
    expect(Date.parse(result.finishedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
    expect(result.usage).toBeUndefined();
  });

  it('decides a code hand-off in the step, seeing the variables the step set', async () => {
    const flock = new Flock({
      name: 'unit',
      agents: [
        {
          name: 'first',
          input: 'text: string',
          output: 'upper: string',
          evaluate: ({ text }, ctx) => (ctx.setVariable('route', text === 'stop' ? null : 'second'), { upper: String(text) }),
          next: (ctx) => ctx.getVariable<string | null>('route') ?? null,
        },
        { name: 'second', input: 'upper: string', output: 'done: boolean', evaluate: () => ({ done: true }) },
      ],
    });
    const activities = createFlockActivities({ flocks: [flock] });
    const env = new MockActivityEnvironment();
    const go = (await env.run(activities.runAgentStep, stepRequest(flock, 'first', { text: 'go' }, { variables: { seen: 1 } }))) as StepResult;
    expect(go).toMatchObject({ nextAgent: 'second', variables: { seen: 1, route: 'second' } });
    const stop = (await env.run(activities.runAgentStep, stepRequest(flock, 'first', { text: 'stop' }))) as StepResult;
    expect(stop.nextAgent).toBeNull();
  });

  it('leaves a static hand-off to the run loop and ends an agent without one', async () => {
    const flock = new Flock({
      name: 'unit',
      agents: [
        { name: 'a', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text }), next: 'b' },
        { name: 'b', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text }) },
      ],
    });
    const activities = createFlockActivities({ flocks: [flock] });
    const env = new MockActivityEnvironment();
    expect(await env.run(activities.runAgentStep, stepRequest(flock, 'a', { text: 'x' }))).not.toHaveProperty('nextAgent');
    expect(await env.run(activities.runAgentStep, stepRequest(flock, 'b', { text: 'x' }))).not.toHaveProperty('nextAgent');
  });

  it('refuses, without retries and before evaluating, a step planned against another definition', async () => {
    const evaluate = jest.fn(upper);
    const live = unitFlock(evaluate);
    const planned = unitFlock(upper, 'upper: string, words: integer');
    const activities = createFlockActivities({ flocks: [live] });
    const failure = await failureOf(
      new MockActivityEnvironment().run(activities.runAgentStep, stepRequest(live, 'first', { text: 'hi' }, { fingerprint: planned.stepFingerprint('first') })),
    );
    expect(failure.type).toBe('DefinitionDriftError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('Agent "first" cannot run here');
    expect(failure.message).toContain('the output signature of "first" differs');
    expect(failure.details?.[0]).toMatchObject({ agent: 'first' });
    expect(evaluate).not.toHaveBeenCalled();
  });

  it('refuses a step of an agent the live flock does not have as drift too', async () => {
    const live = unitFlock();
    const planned = new Flock({
      name: 'unit',
      agents: [...live.agents, { name: 'third', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text }) }],
    });
    const activities = createFlockActivities({ flocks: [live] });
    const failure = await failureOf(new MockActivityEnvironment().run(activities.runAgentStep, stepRequest(planned, 'third', { text: 'x' })));
    expect(failure.type).toBe('DefinitionDriftError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('"third" is not an agent of this worker\'s flock (its agents: first, second)');
  });

  it('fails retryably for a flock this worker does not host, so another worker may take it', async () => {
    const activities = createFlockActivities({ flocks: [unitFlock()] });
    const failure = await failureOf(new MockActivityEnvironment().run(activities.runAgentStep, stepRequest(unitFlock(), 'first', { text: 'x' }, { flockName: 'other' })));
    expect(failure.type).toBe('FlockNotRegisteredError');
    expect(failure.nonRetryable).toBeFalsy();
    expect(failure.message).toContain('hosts: unit');
  });

  it('fails an output over the payload limit naming the agent, non-retryable', async () => {
    const flock = unitFlock(() => ({ upper: 'x'.repeat(5_000) }));
    const activities = createFlockActivities({ flocks: [flock], maxPayloadBytes: 2_000 });
    const failure = await failureOf(new MockActivityEnvironment().run(activities.runAgentStep, stepRequest(flock, 'first', { text: 'x' })));
    expect(failure.type).toBe('PayloadTooLargeError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^Output of agent "first" is \d+ bytes, over the limit of 2000 bytes/);
    expect(failure.details?.[0]).toMatchObject({ agent: 'first' });
  });

  it('fails variables a Temporal run cannot store, naming the agent and the path', async () => {
    const flock = unitFlock((_inputs, ctx) => (ctx.setVariable('conn', new (class Socket {})()), { upper: 'X' }));
    const activities = createFlockActivities({ flocks: [flock] });
    const failure = await failureOf(new MockActivityEnvironment().run(activities.runAgentStep, stepRequest(flock, 'first', { text: 'x' })));
    expect(failure.type).toBe('SerializationError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^Agent "first" produced a value a Temporal run cannot store: variables.conn: an instance of Socket/);
  });

  it("types the failure by the evaluator's own error name, for nonRetryableErrorTypes", async () => {
    const flock = unitFlock(() => {
      throw Object.assign(new Error('bad key'), { name: 'AuthError' });
    });
    const failure = await failureOf(new MockActivityEnvironment().run(createFlockActivities({ flocks: [flock] }).runAgentStep, stepRequest(flock, 'first', { text: 'x' })));
    expect(failure.type).toBe('AuthError');
    expect(failure.message).toMatch(/first.*bad key/);
  });

  it('types an output that breaks the signature as AgentOutputValidationError', async () => {
    const flock = unitFlock(() => ({ upper: 42 }));
    const failure = await failureOf(new MockActivityEnvironment().run(createFlockActivities({ flocks: [flock] }).runAgentStep, stepRequest(flock, 'first', { text: 'x' })));
    expect(failure.type).toBe('AgentOutputValidationError');
    // the error says no retry can fix it, not a list of names in the retry policy
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[0]).toMatchObject({ agent: 'first', errorName: 'AgentOutputValidationError', code: 'INVALID_AGENT_OUTPUT' });
  });

  it('types a hand-off to an agent the flock lacks as UnknownAgentError', async () => {
    const flock = new Flock({
      name: 'unit',
      agents: [{ name: 'first', input: 'text: string', output: 'upper: string', evaluate: upper, next: () => 'nobody' }],
    });
    const failure = await failureOf(new MockActivityEnvironment().run(createFlockActivities({ flocks: [flock] }).runAgentStep, stepRequest(flock, 'first', { text: 'x' })));
    expect(failure.type).toBe('UnknownAgentError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('hand-off from "first" to agent "nobody"');
  });

  it('heartbeats while a slow evaluation runs, naming the step, with or without a heartbeat timeout', async () => {
    const slow = unitFlock(async ({ text }) => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return { upper: String(text) };
    });
    for (const info of [{ heartbeatTimeoutMs: 300 }, {}]) {
      const env = new MockActivityEnvironment(info);
      const beats: unknown[] = [];
      env.on('heartbeat', (details: unknown) => beats.push(details));
      await env.run(createFlockActivities({ flocks: [slow], heartbeatIntervalMs: 100 }).runAgentStep, stepRequest(slow, 'first', { text: 'x' }, { step: 4 }));
      expect(beats.length).toBeGreaterThanOrEqual(2);
      expect(beats[0]).toEqual({ agent: 'first', step: 4, attempt: 1, text: { length: 0, tail: '' } });
    }
  });

  it("puts the text a step streams (ctx.emitText) in its heartbeat details at once, keeping the agent's own progress beside it", async () => {
    const streaming = unitFlock(async ({ text }, ctx) => {
      ctx.emitText('Hel');
      ctx.heartbeat({ page: 1 });
      ctx.emitText('lo');
      return { upper: String(text) };
    });
    const env = new MockActivityEnvironment({ attempt: 2 });
    const beats: Array<Record<string, unknown>> = [];
    env.on('heartbeat', (details: Record<string, unknown>) => beats.push(details));
    await env.run(createFlockActivities({ flocks: [streaming], heartbeatIntervalMs: 60_000 }).runAgentStep, stepRequest(streaming, 'first', { text: 'x' }));
    expect(beats).toEqual([
      { agent: 'first', step: 0, attempt: 2, text: { length: 3, tail: 'Hel' } },
      { agent: 'first', step: 0, attempt: 2, text: { length: 3, tail: 'Hel' }, progress: { page: 1 } },
      { agent: 'first', step: 0, attempt: 2, text: { length: 5, tail: 'Hello' }, progress: { page: 1 } },
    ]);
  });

  it('a local step (isLocal) never heartbeats, and echoes its step, agent and inputs for the run readers', async () => {
    const streaming = unitFlock(async ({ text }, ctx) => {
      ctx.emitText('Hel');
      ctx.heartbeat({ page: 1 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      return { upper: String(text) };
    });
    const env = new MockActivityEnvironment({ isLocal: true });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    const result = await env.run(createFlockActivities({ flocks: [streaming], heartbeatIntervalMs: 20 }).runAgentStep, stepRequest(streaming, 'first', { text: 'x' }, { step: 6 }));
    expect(beats).toEqual([]);
    expect(result).toMatchObject({ output: { upper: 'x' }, nextAgent: null, localStep: { step: 6, agent: 'first', inputs: { text: 'x' } } });
  });

  it("a local step's echo leaves out inputs that would take its result over the payload limit", async () => {
    const flock = unitFlock(() => ({ upper: 'y' }));
    const big = 'x'.repeat(4_000);
    const result = await new MockActivityEnvironment({ isLocal: true }).run(
      createFlockActivities({ flocks: [flock], maxPayloadBytes: 2_000 }).runAgentStep,
      stepRequest(flock, 'first', { text: big }, { step: 1 }),
    );
    expect(result).toMatchObject({ output: { upper: 'y' }, localStep: { step: 1, agent: 'first', inputs: {}, inputsOmitted: true } });
  });

  it('a regular step returns its result without an echo', async () => {
    const flock = unitFlock();
    const result = await new MockActivityEnvironment().run(createFlockActivities({ flocks: [flock] }).runAgentStep, stepRequest(flock, 'first', { text: 'x' }));
    expect(result).not.toHaveProperty('localStep');
  });

  it('a cancelled step sees ctx.signal abort and ends cancelled', async () => {
    let aborted = false;
    const waiting = unitFlock(
      (_inputs, ctx) =>
        new Promise((_resolve, reject) =>
          ctx.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(ctx.signal?.reason);
          }),
        ),
    );
    const env = new MockActivityEnvironment();
    const running = env.run(createFlockActivities({ flocks: [waiting] }).runAgentStep, stepRequest(waiting, 'first', { text: 'x' }));
    setTimeout(() => env.cancel('CANCELLED'), 50);
    await expect(running).rejects.toMatchObject({ name: 'CancelledFailure' });
    expect(aborted).toBe(true);
  });
});

describe('evaluateAgent (contract v1)', () => {
  it('evaluates the named agent against the whole v1 run state and returns its record, without routing', async () => {
    const activities = createFlockActivities({ flocks: [unitFlock()] });
    const outcome = (await new MockActivityEnvironment({ attempt: 2 }).run(activities.evaluateAgent, {
      flockName: 'unit',
      agentName: 'first',
      state: stateV1({ text: 'hi' }),
    })) as EvaluateAgentOutput;
    expect(outcome.record).toMatchObject({ agent: 'first', inputs: { text: 'hi' }, output: { upper: 'HI' }, attempt: 2 });
    expect(outcome.record).not.toHaveProperty('step');
    expect(outcome).not.toHaveProperty('nextAgent');
  });

  it('resolves inputs from the newest v1 step output that has the field', async () => {
    const activities = createFlockActivities({ flocks: [unitFlock()] });
    const earlier = { agent: 'first', inputs: { text: 'hi' }, output: { upper: 'HI' }, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z' };
    const outcome = (await new MockActivityEnvironment().run(activities.evaluateAgent, {
      flockName: 'unit',
      agentName: 'second',
      state: { ...stateV1({ text: 'hi' }), history: [earlier], iteration: 1 },
    })) as EvaluateAgentOutput;
    expect(outcome.record).toMatchObject({ agent: 'second', inputs: { upper: 'HI' }, output: { done: true } });
  });

  it('refuses a step whose v1 run state would outgrow the payload limit', async () => {
    const activities = createFlockActivities({ flocks: [unitFlock()], maxPayloadBytes: 2_000 });
    const earlier = { agent: 'first', inputs: {}, output: { upper: 'y'.repeat(1_200) }, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z' };
    const failure = await failureOf(
      new MockActivityEnvironment().run(activities.evaluateAgent, {
        flockName: 'unit',
        agentName: 'first',
        state: { ...stateV1({ text: 'z'.repeat(600) }), history: [earlier], iteration: 1 },
      }),
    );
    expect(failure.type).toBe('PayloadTooLargeError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^Run state after agent "first" \(2 steps\) is \d+ bytes, over the limit of 2000 bytes/);
  });
});

describe('routeNextAgent (contract v1)', () => {
  it("runs the agent's next function", async () => {
    const activities = createFlockActivities({ flocks: [unitFlock()] });
    const env = new MockActivityEnvironment();
    const input = { flockName: 'unit', agentName: 'first', state: stateV1({ text: 'hi' }) };
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

describe('a step whose agent code ignores its abort signal', () => {
  const never = () => new Promise<Record<string, unknown>>(() => undefined);

  it('ends as soon as the step is cancelled, freeing the worker slot', async () => {
    const flock = unitFlock(never);
    const env = new MockActivityEnvironment();
    const running = env.run(createFlockActivities({ flocks: [flock] }).runAgentStep, stepRequest(flock, 'first', { text: 'x' }));
    setTimeout(() => env.cancel('TIMED_OUT'), 50);
    await expect(running).rejects.toMatchObject({ name: 'CancelledFailure' });
  });

  it('ends just after its start-to-close timeout even if no cancellation arrives', async () => {
    const flock = unitFlock(never);
    const env = new MockActivityEnvironment({ startToCloseTimeoutMs: 200 });
    const started = Date.now();
    const failure = await failureOf(env.run(createFlockActivities({ flocks: [flock] }).runAgentStep, stepRequest(flock, 'first', { text: 'x' })));
    expect(failure).toMatchObject({ type: 'StepTimedOutError', message: expect.stringContaining('start-to-close timeout (200 ms)') });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('untilAborted settles with the step when it ends first, and clears its listener', async () => {
    const controller = new AbortController();
    await expect(untilAborted(Promise.resolve(7), controller.signal, 1_000)).resolves.toBe(7);
    controller.abort(new Error('late'));
    await expect(untilAborted(Promise.resolve(7), controller.signal)).rejects.toThrow('late');
  });
});
