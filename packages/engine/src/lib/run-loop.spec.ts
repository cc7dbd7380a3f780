import { parseFlockDefinition, type AgentDefinitionInput } from '@flock-ts/config';
import type { FlockRunFailedError } from './errors';
import { applyStep, findCycle, lastOutput, nextStep, planRun, runResult, signatureFieldNames, startRun, stepFailure, type RunPlan } from './run-loop';
import { RECENT_STEPS, type RunState, type StepRecord, type StepRequest, type StepResult, type TokenUsage } from './run-types';

const AT = '2024-01-01T00:00:00.000Z';

/** An agent that hands off by code (the step decides), unless `next` says otherwise. */
function agent(name: string, input = '', extra: Partial<AgentDefinitionInput> = {}): AgentDefinitionInput {
  return { name, input, output: '', next: { kind: 'code' }, ...extra };
}

function plan(agents: AgentDefinitionInput[], maxIterations = 20): RunPlan {
  return planRun(parseFlockDefinition({ name: 'demo', agents, maxIterations }));
}

function start(runPlan: RunPlan, startAgent: string, input: Record<string, unknown> = {}, sessionId?: string): RunState {
  return startRun(runPlan, { startAgent, input, runId: 'run-1', ...(sessionId === undefined ? {} : { sessionId }) });
}

function result(output: Record<string, unknown>, extra: Partial<StepResult> = {}): StepResult {
  return { output, variables: {}, startedAt: AT, finishedAt: AT, ...extra };
}

/** Runs the due step with the given result (variables kept unless the result sets them). */
function finish(runPlan: RunPlan, state: RunState, output: Record<string, unknown>, extra: Partial<StepResult> = {}): StepRecord {
  const request = nextStep(runPlan, state);
  if (!request) throw new Error('the run has ended');
  return applyStep(runPlan, state, request, result(output, { variables: state.variables, ...extra }));
}

function thrown(fn: () => unknown): FlockRunFailedError {
  try {
    fn();
  } catch (error) {
    expect((error as Error).name).toBe('FlockRunFailedError');
    return error as FlockRunFailedError;
  }
  throw new Error('expected a FlockRunFailedError');
}

const usage = (tokens: number): TokenUsage => ({ inputTokens: tokens, outputTokens: 1, totalTokens: tokens + 1 });

describe('planRun', () => {
  it('prepares every agent: input fields, hand-off, context and fingerprint', () => {
    const runPlan = plan(
      [
        agent('reader', 'folder: string', { next: { kind: 'static', agent: 'writer' } }),
        agent('writer', 'documents: string[], tone?: string', { context: { history: 3, input: true } }),
      ],
      7,
    );
    expect(runPlan).toMatchObject({ flockName: 'demo', maxIterations: 7, agentNames: ['reader', 'writer'], tailSize: 3 });
    expect(runPlan.agents.get('reader')).toMatchObject({ inputFields: ['folder'], next: { kind: 'static', agent: 'writer' }, history: 0, input: false });
    expect(runPlan.agents.get('writer')).toMatchObject({ inputFields: ['documents', 'tone'], next: { kind: 'code' }, history: 3, input: true });
    expect(runPlan.agents.get('writer')?.fingerprint).toEqual({ agents: expect.any(String), input: expect.any(String), output: expect.any(String), next: 'code' });
  });

  it('keeps no whole steps when no agent asks for history', () => {
    expect(plan([agent('a'), agent('b')]).tailSize).toBe(0);
  });

  it('reads the field names of string and JSON Schema signatures', () => {
    expect(signatureFieldNames('a: string, b?: integer')).toEqual(['a', 'b']);
    expect(signatureFieldNames({ jsonSchema: { type: 'object', properties: { x: {}, y: {} } } })).toEqual(['x', 'y']);
    expect(signatureFieldNames({ jsonSchema: { type: 'object' } })).toEqual([]);
  });
});

describe('startRun', () => {
  const runPlan = plan([agent('only', 'a')]);

  it('starts an empty run at the start agent', () => {
    expect(start(runPlan, 'only', { a: 'x' }, 's')).toEqual({
      runId: 'run-1',
      sessionId: 's',
      flockName: 'demo',
      startAgent: 'only',
      input: { a: 'x' },
      variables: {},
      fields: {},
      next: 'only',
      stepCount: 0,
      lastOutputKeys: [],
      recent: [],
      tail: [],
    });
    expect(start(runPlan, 'only')).not.toHaveProperty('sessionId');
  });

  it('copies the input, so later changes to the caller object do not leak in', () => {
    const input = { a: 'x' };
    const state = start(runPlan, 'only', input);
    input.a = 'changed';
    expect(state.input).toEqual({ a: 'x' });
  });

  it('rejects an unknown start agent with UNKNOWN_AGENT, listing the known ones', () => {
    const error = thrown(() => start(runPlan, 'ghost'));
    expect(error).toMatchObject({ code: 'UNKNOWN_AGENT', agent: 'ghost', causeType: 'UnknownAgentError' });
    expect(error.message).toBe('Unknown start agent "ghost" (known agents: only)');
    expect(error.failureType).toBe('UnknownAgentError');
  });

  it.each([
    ['an array', ['a']],
    ['null', null],
    ['a string', 'a'],
  ])('rejects %s as input with INVALID_RUN_INPUT', (_what, input) => {
    const error = thrown(() => startRun(runPlan, { startAgent: 'only', input: input as never, runId: 'r' }));
    expect(error.code).toBe('INVALID_RUN_INPUT');
    expect(error.message).toContain('the run input must be an object');
  });
});

describe('nextStep', () => {
  it('builds the request of the due step: its index, inputs, variables and fingerprint', () => {
    const runPlan = plan([agent('a', 'text: string')]);
    const state = start(runPlan, 'a', { text: 'hi' }, 's-1');
    expect(nextStep(runPlan, state)).toEqual({
      flockName: 'demo',
      agent: 'a',
      runId: 'run-1',
      sessionId: 's-1',
      step: 0,
      inputs: { text: 'hi' },
      variables: {},
      fingerprint: runPlan.agents.get('a')?.fingerprint,
    });
  });

  it('is null once the run has ended', () => {
    const runPlan = plan([agent('a')]);
    const state = start(runPlan, 'a');
    finish(runPlan, state, {}, { nextAgent: null });
    expect(nextStep(runPlan, state)).toBeNull();
  });

  it('carries the run input only when the agent declares context.input, and as many latest steps as its context.history', () => {
    const runPlan = plan([agent('a'), agent('b', '', { context: { history: 2 } }), agent('c', '', { context: { input: true } })]);
    const state = start(runPlan, 'a', { topic: 't' });
    finish(runPlan, state, { n: 1 }, { nextAgent: 'a' });
    finish(runPlan, state, { n: 2 }, { nextAgent: 'a' });
    finish(runPlan, state, { n: 3 }, { nextAgent: 'b' });
    const request = nextStep(runPlan, state) as StepRequest;
    expect(request.step).toBe(3);
    expect(request).not.toHaveProperty('input');
    expect(request.history?.map((step) => [step.step, step.output])).toEqual([
      [1, { n: 2 }],
      [2, { n: 3 }],
    ]);
    finish(runPlan, state, {}, { nextAgent: 'c' });
    const plain = nextStep(runPlan, state) as StepRequest;
    expect(plain.input).toEqual({ topic: 't' });
    expect(plain).not.toHaveProperty('history');
  });

  it('fails a hand-off to an agent the definition lacks with UNKNOWN_AGENT', () => {
    const runPlan = plan([agent('a')]);
    const state = { ...start(runPlan, 'a'), next: 'ghost' };
    expect(thrown(() => nextStep(runPlan, state))).toMatchObject({ code: 'UNKNOWN_AGENT', message: 'Unknown hand-off target "ghost" (known agents: a)' });
  });

  describe('input resolution', () => {
    const producers = [agent('a'), agent('b'), agent('c')];
    const runPlan = plan([...producers, agent('ranker', 'documents: string[], limit?: integer, tone: string')], 50);

    /** Runs `a` with each output (and the variables, when given), then resolves the ranker's inputs. */
    function resolve(input: Record<string, unknown>, outputs: Array<Record<string, unknown>>, variables?: Record<string, unknown>) {
      const state = start(runPlan, outputs.length ? 'a' : 'ranker', input);
      outputs.forEach((output, index) => {
        const last = index === outputs.length - 1;
        finish(runPlan, state, output, { nextAgent: last ? 'ranker' : 'a', ...(variables && last ? { variables } : {}) });
      });
      return (nextStep(runPlan, state) as StepRequest).inputs;
    }

    it('takes each field from the newest step output that has it', () => {
      expect(resolve({}, [{ documents: ['old'], tone: 'dry' }, { documents: ['new'] }, { other: 1 }])).toEqual({ documents: ['new'], tone: 'dry' });
    });

    it('falls back to the run input, then to the variables', () => {
      expect(resolve({ documents: ['in'], tone: 'input' }, [{}], { tone: 'var', limit: 3 })).toEqual({ documents: ['in'], tone: 'input', limit: 3 });
    });

    it('prefers step outputs over the run input and the variables', () => {
      expect(resolve({ documents: ['in'], tone: 'input' }, [{ tone: 'step', limit: 1 }], { limit: 9 })).toEqual({ documents: ['in'], tone: 'step', limit: 1 });
    });

    it('skips values that are undefined', () => {
      expect(resolve({ documents: [], tone: 'input', limit: undefined }, [{ tone: undefined }], { limit: undefined })).toEqual({ documents: [], tone: 'input' });
    });

    it('keeps an older output of a field when a newer output leaves it undefined', () => {
      expect(resolve({ documents: [] }, [{ tone: 'first' }, { tone: undefined }])).toEqual({ documents: [], tone: 'first' });
    });

    it('leaves out fields the agent does not declare', () => {
      const inputs = resolve({ documents: [], tone: 't', secret: 'x' }, [{ other: 1 }], { token: 'y' });
      expect(Object.keys(inputs).sort()).toEqual(['documents', 'tone']);
    });

    it('leaves a field out when nothing has it (the step validates and names it)', () => {
      expect(resolve({ documents: [] }, [])).toEqual({ documents: [] });
    });

    it('does not touch the state', () => {
      const state = start(runPlan, 'a', { documents: ['x'], tone: 't' });
      finish(runPlan, state, { limit: 2 }, { nextAgent: 'ranker' });
      const copy = structuredClone(state);
      nextStep(runPlan, state);
      expect(state).toEqual(copy);
    });
  });
});

describe('maxIterations', () => {
  function loop(maxIterations: number) {
    return plan(
      [
        agent('start', '', { next: { kind: 'static', agent: 'ping' } }),
        agent('ping', '', { next: { kind: 'static', agent: 'pong' } }),
        agent('pong', '', { next: { kind: 'static', agent: 'ping' } }),
      ],
      maxIterations,
    );
  }

  it('fails the step after maxIterations with MAX_ITERATIONS_EXCEEDED, naming the cycle', () => {
    const runPlan = loop(5);
    const state = start(runPlan, 'start');
    for (let i = 0; i < 5; i++) finish(runPlan, state, {});
    expect(state.recent.map((step) => step.agent)).toEqual(['start', 'ping', 'pong', 'ping', 'pong']);
    const error = thrown(() => nextStep(runPlan, state));
    expect(error).toMatchObject({ code: 'MAX_ITERATIONS_EXCEEDED', agent: 'ping', causeType: 'MaxIterationsExceededError' });
    expect(error.message).toContain('Flock "demo" reached maxIterations (5) before agent "ping"');
    expect(error.message).toContain('cycle: ping -> pong -> ping');
  });

  it('names the last agents when the next one never ran', () => {
    const runPlan = plan([agent('a', '', { next: { kind: 'static', agent: 'b' } }), agent('b', '', { next: { kind: 'static', agent: 'c' } }), agent('c')], 2);
    const state = start(runPlan, 'a');
    finish(runPlan, state, {});
    finish(runPlan, state, {});
    expect(thrown(() => nextStep(runPlan, state)).message).toContain('last agents: a -> b -> c');
  });

  it('lets exactly maxIterations steps run', () => {
    const runPlan = loop(3);
    const state = start(runPlan, 'start');
    for (let i = 0; i < 3; i++) finish(runPlan, state, {});
    expect(state.stepCount).toBe(3);
    expect(() => nextStep(runPlan, state)).toThrow('maxIterations (3)');
  });

  it('does not fail a run that ends at maxIterations', () => {
    const runPlan = plan([agent('a')], 1);
    const state = start(runPlan, 'a');
    finish(runPlan, state, {}, { nextAgent: null });
    expect(nextStep(runPlan, state)).toBeNull();
  });
});

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

describe('applyStep', () => {
  it('returns the whole step record and advances the state', () => {
    const runPlan = plan([agent('a', 'x'), agent('b')]);
    const state = start(runPlan, 'a', { x: 1 });
    const request = nextStep(runPlan, state) as StepRequest;
    const record = applyStep(runPlan, state, request, result({ y: 2 }, { variables: { v: true }, attempt: 2, usage: usage(5), nextAgent: 'b' }));
    expect(record).toEqual({ step: 0, agent: 'a', inputs: { x: 1 }, output: { y: 2 }, startedAt: AT, finishedAt: AT, attempt: 2, usage: usage(5), nextAgent: 'b' });
    expect(state).toMatchObject({ stepCount: 1, next: 'b', lastAgent: 'a', lastOutputKeys: ['y'], variables: { v: true }, fields: { y: 2 }, usage: usage(5) });
  });

  it('keeps the newest value of every output field, and the latest output apart', () => {
    const runPlan = plan([agent('a')]);
    const state = start(runPlan, 'a');
    finish(runPlan, state, { title: 'one', body: 'first' }, { nextAgent: 'a' });
    finish(runPlan, state, { title: 'two', skipped: undefined }, { nextAgent: null });
    expect(state.fields).toEqual({ title: 'two', body: 'first' });
    expect(state.lastOutputKeys).toEqual(['title']);
    expect(lastOutput(state)).toEqual({ title: 'two' });
  });

  it(`keeps the latest ${RECENT_STEPS} steps, summarized without inputs and output`, () => {
    const runPlan = plan([agent('a', 'n')], 100);
    const state = start(runPlan, 'a', { n: 0 });
    for (let n = 1; n <= 25; n++) finish(runPlan, state, { n }, { nextAgent: 'a' });
    expect(state.recent).toHaveLength(RECENT_STEPS);
    expect(state.recent.map((step) => step.step)).toEqual(Array.from({ length: RECENT_STEPS }, (_, i) => i + 5));
    for (const step of state.recent) {
      expect(step).not.toHaveProperty('inputs');
      expect(step).not.toHaveProperty('output');
    }
    expect(state.recent[0]).toEqual({ step: 5, agent: 'a', startedAt: AT, finishedAt: AT, nextAgent: 'a' });
  });

  it('keeps as many whole steps as the largest context.history of the agents', () => {
    const runPlan = plan([agent('a'), agent('b', '', { context: { history: 3 } }), agent('c', '', { context: { history: 1 } })]);
    const state = start(runPlan, 'a');
    for (let n = 0; n < 5; n++) finish(runPlan, state, { n }, { nextAgent: 'a' });
    expect(state.tail.map((step) => step.output)).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    expect(state.tail[2]).toMatchObject({ step: 4, agent: 'a', inputs: {}, output: { n: 4 }, nextAgent: 'a' });
  });

  it('keeps no whole steps when no agent asks for history', () => {
    const runPlan = plan([agent('a')]);
    const state = start(runPlan, 'a');
    for (let n = 0; n < 3; n++) finish(runPlan, state, { n }, { nextAgent: 'a' });
    expect(state.tail).toEqual([]);
  });

  it("sums the run's usage, routing included", () => {
    const runPlan = plan([agent('a')]);
    const state = start(runPlan, 'a');
    const record = finish(runPlan, state, {}, { nextAgent: 'a', usage: usage(10), routingUsage: usage(4) });
    expect(record.routingUsage).toEqual(usage(4));
    finish(runPlan, state, {}, { nextAgent: 'a' });
    finish(runPlan, state, {}, { nextAgent: null, routingUsage: usage(2) });
    expect(state.usage).toEqual({ inputTokens: 16, outputTokens: 3, totalTokens: 19 });
  });

  it('leaves the usage out while no step reports any', () => {
    const runPlan = plan([agent('a')]);
    const state = start(runPlan, 'a');
    finish(runPlan, state, {}, { nextAgent: null });
    expect(state).not.toHaveProperty('usage');
  });

  it('follows a static hand-off from the plan, whatever the step says', () => {
    const runPlan = plan([agent('a', '', { next: { kind: 'static', agent: 'b' } }), agent('b', '', { next: undefined })]);
    const state = start(runPlan, 'a');
    expect(finish(runPlan, state, {}, { nextAgent: 'a' }).nextAgent).toBe('b');
    expect(state.next).toBe('b');
    expect(finish(runPlan, state, {}, { nextAgent: 'a' }).nextAgent).toBeNull();
    expect(state.next).toBeNull();
  });

  it('follows the hand-off a code or router step decided; none ends the run', () => {
    const runPlan = plan([agent('a'), agent('b', '', { next: { kind: 'router', router: 'pick' } })]);
    const state = start(runPlan, 'a');
    expect(finish(runPlan, state, {}, { nextAgent: 'b' }).nextAgent).toBe('b');
    expect(finish(runPlan, state, {}, { nextAgent: 'a' }).nextAgent).toBe('a');
    expect(finish(runPlan, state, {}).nextAgent).toBeNull();
    expect(nextStep(runPlan, state)).toBeNull();
  });

  it('fails a hand-off to an agent the definition lacks with UNKNOWN_AGENT, before changing the state', () => {
    const runPlan = plan([agent('a'), agent('b')]);
    const state = start(runPlan, 'a');
    const request = nextStep(runPlan, state) as StepRequest;
    const before = structuredClone(state);
    const error = thrown(() => applyStep(runPlan, state, request, result({}, { nextAgent: 'ghost' })));
    expect(error).toMatchObject({ code: 'UNKNOWN_AGENT', causeType: 'UnknownAgentError' });
    expect(error.message).toBe('Unknown hand-off from "a" to agent "ghost" (known agents: a, b)');
    expect(state).toEqual(before);
  });

  it('fails a step of an agent the definition lacks with UNKNOWN_AGENT', () => {
    const runPlan = plan([agent('a')]);
    const state = start(runPlan, 'a');
    const request = { ...(nextStep(runPlan, state) as StepRequest), agent: 'ghost' };
    expect(thrown(() => applyStep(runPlan, state, request, result({}))).code).toBe('UNKNOWN_AGENT');
  });
});

describe('runResult', () => {
  it('returns the latest output, the variables, the usage and the step count', () => {
    const runPlan = plan([agent('a'), agent('b')]);
    const state = start(runPlan, 'a', {}, 's-1');
    finish(runPlan, state, { draft: 'x', n: 1 }, { nextAgent: 'b', usage: usage(3) });
    finish(runPlan, state, { n: 2 }, { variables: { done: true } });
    expect(runResult(state)).toEqual({
      runId: 'run-1',
      sessionId: 's-1',
      flockName: 'demo',
      lastAgent: 'b',
      output: { n: 2 },
      variables: { done: true },
      usage: usage(3),
      stepCount: 2,
      steps: [
        { step: 0, agent: 'a', startedAt: AT, finishedAt: AT, usage: usage(3), nextAgent: 'b' },
        { step: 1, agent: 'b', startedAt: AT, finishedAt: AT, nextAgent: null },
      ],
    });
  });

  it('stays bounded, whatever the run length', () => {
    const runPlan = plan([agent('a', 'n')], 1000);
    const state = start(runPlan, 'a', { n: 0 });
    for (let n = 1; n <= 300; n++) finish(runPlan, state, { n, text: 'x'.repeat(100) }, { nextAgent: n < 300 ? 'a' : null });
    const run = runResult(state);
    expect(run.stepCount).toBe(300);
    expect(run.steps).toHaveLength(RECENT_STEPS);
    expect(run.steps.at(-1)).toMatchObject({ step: 299, nextAgent: null });
    expect(run.output).toEqual({ n: 300, text: 'x'.repeat(100) });
    expect(JSON.stringify(run).length).toBeLessThan(4000);
    expect(JSON.parse(JSON.stringify(run))).toEqual(run);
  });

  it('refuses a run without a finished step', () => {
    const runPlan = plan([agent('a')]);
    expect(thrown(() => runResult(start(runPlan, 'a'))).code).toBe('AGENT_FAILED');
  });
});

describe('stepFailure', () => {
  it("names the agent once: not again when the root cause's message does", () => {
    const named = stepFailure('writer', { name: 'ToolError', message: 'Tool "search" called by agent "writer" failed: timeout' });
    expect(named.message).toBe('Tool "search" called by agent "writer" failed: timeout');
    const bare = stepFailure('writer', { name: 'TypeError', message: 'x is undefined' });
    expect(bare.message).toBe('Agent "writer" failed: x is undefined');
  });

  it('fails with AGENT_FAILED, the agent, the cause type and the cause', () => {
    const cause = new TypeError('x is undefined');
    expect(stepFailure('writer', { name: 'TypeError', message: cause.message }, cause)).toMatchObject({
      name: 'FlockRunFailedError',
      code: 'AGENT_FAILED',
      agent: 'writer',
      causeType: 'TypeError',
      cause,
      failureType: 'AgentExecutionError',
    });
  });

  it.each([
    ['PayloadTooLargeError', 'PAYLOAD_TOO_LARGE'],
    ['DefinitionDriftError', 'DEFINITION_DRIFT'],
    ['UnknownAgentError', 'UNKNOWN_AGENT'],
    ['AgentOutputValidationError', 'AGENT_FAILED'],
    [undefined, 'AGENT_FAILED'],
  ])('maps a root cause named %s to %s', (name, code) => {
    const error = stepFailure('writer', { ...(name === undefined ? {} : { name }), message: 'why' });
    expect(error.code).toBe(code);
    expect(error.causeType).toBe(name);
  });
});
