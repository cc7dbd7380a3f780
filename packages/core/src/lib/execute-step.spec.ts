import { nextStep, startRun } from '@flock-ts/engine';
import { defineAgent, type AgentOptions } from './agent';
import type { Component } from './component';
import type { AgentContext } from './context';
import type { AgentExecutionError, ComponentError, DefinitionDriftError, FlockRunFailedError } from './errors';
import { executeStep } from './execute-step';
import { Flock } from './flock';
import { runLocally } from './local-executor';
import { defineRouter } from './router';
import type { StepRequest } from './run-state';
import { defineTool } from './tool';

function counter(options: Partial<AgentOptions> = {}) {
  return defineAgent({
    name: 'counter',
    input: 'text: string',
    output: 'words: integer',
    evaluate: ({ text }) => ({ words: String(text).split(' ').length }),
    ...options,
  } as AgentOptions);
}

/** The request of the first step of a run of `flock` from `startAgent`, as the run loop makes it. */
function firstStep(flock: Flock, startAgent: string, input: Record<string, unknown>): StepRequest {
  const plan = flock.runPlan();
  const request = nextStep(plan, startRun(plan, { startAgent, input, runId: 'run-1' }));
  if (!request) throw new Error('no step is due');
  return request;
}

function setup(options: Partial<AgentOptions>, input: Record<string, unknown> = { text: 'hello world' }) {
  const flock = new Flock({ name: 'steps', agents: [counter(options)] });
  return { flock, request: firstStep(flock, 'counter', input) };
}

async function rejection<T = Error>(promise: Promise<unknown>): Promise<T> {
  try {
    await promise;
  } catch (error) {
    return error as T;
  }
  throw new Error('expected a rejection');
}

function recorder(name: string, log: string[]): Component {
  return {
    name,
    onInitialize: () => void log.push(`${name}.initialize`),
    onPreEvaluate: () => void log.push(`${name}.pre`),
    onPostEvaluate: () => void log.push(`${name}.post`),
    onError: () => void log.push(`${name}.error`),
    onTerminate: (_ctx, end) => void log.push(`${name}.terminate:${end.error ? 'failed' : 'ok'}`),
  };
}

describe('executeStep', () => {
  it('returns the validated output, the variables, timestamps and attempt', async () => {
    const { flock, request } = setup({});
    const result = await executeStep(flock, request, { attempt: 2 });
    expect(result).toEqual({ output: { words: 2 }, variables: {}, startedAt: expect.any(String), finishedAt: expect.any(String), attempt: 2 });
    expect(Date.parse(result.finishedAt)).toBeGreaterThanOrEqual(Date.parse(result.startedAt));
  });

  it('counts the first try as attempt 1', async () => {
    const { flock, request } = setup({});
    expect((await executeStep(flock, request)).attempt).toBe(1);
  });

  it('leaves the request untouched and returns the variables after the step', async () => {
    const { flock, request } = setup({
      evaluate: (_inputs: unknown, ctx: { setVariable(k: string, v: unknown): void }) => {
        ctx.setVariable('counted', true);
        return { words: 1 };
      },
    });
    const before = structuredClone(request);
    const result = await executeStep(flock, request);
    expect(result.variables).toEqual({ counted: true });
    expect(request.variables).toEqual({});
    expect(request).toEqual(before);
  });

  it('keeps the usage a custom evaluator reports', async () => {
    const { flock, request } = setup({
      evaluate: undefined,
      evaluator: { spec: { kind: 'model' }, evaluate: async () => ({ output: { words: 3 }, usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } }) },
    });
    const result = await executeStep(flock, request);
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 2, totalTokens: 7 });
  });

  it('hands the evaluator its tools, signal and heartbeat', async () => {
    const tool = defineTool({ name: 'noop', input: '', execute: () => null });
    const seen: unknown[] = [];
    const controller = new AbortController();
    const heartbeat = jest.fn();
    const { flock, request } = setup({
      evaluate: undefined,
      tools: [tool],
      evaluator: {
        spec: { kind: 'code' },
        evaluate: async (request) => {
          seen.push(request.tools, request.signal);
          request.context.heartbeat('working');
          return { output: { words: 0 } };
        },
      },
    });
    await executeStep(flock, request, { signal: controller.signal, heartbeat });
    expect(seen).toEqual([[tool], controller.signal]);
    expect(heartbeat).toHaveBeenCalledWith('working');
  });

  it('wraps an evaluator failure in AgentExecutionError naming agent and cause', async () => {
    class QuotaError extends Error {
      override name = 'QuotaError';
    }
    const { flock, request } = setup({
      evaluate: () => {
        throw new QuotaError('quota exhausted');
      },
    });
    const error = await rejection<AgentExecutionError>(executeStep(flock, request));
    expect(error.name).toBe('AgentExecutionError');
    expect(error.message).toBe('Agent "counter" failed: QuotaError: quota exhausted');
    expect(error.causeName).toBe('QuotaError');
  });

  it('lets a ToolError through unwrapped', async () => {
    const failing = defineTool({
      name: 'fails',
      input: '',
      execute: () => {
        throw new Error('down');
      },
    });
    const { flock, request } = setup({
      tools: [failing],
      evaluate: async (_inputs: unknown, ctx: { callTool(name: string): Promise<unknown> }) => ({ words: await ctx.callTool('fails') }),
    });
    const error = await rejection(executeStep(flock, request));
    expect(error).toMatchObject({ name: 'ToolError', tool: 'fails', agent: 'counter' });
  });

  it('rejects an output that breaks the signature, naming the field', async () => {
    const { flock, request } = setup({ evaluate: () => ({ words: 'two' }) });
    const error = await rejection(executeStep(flock, request));
    expect(error).toMatchObject({ name: 'AgentOutputValidationError', agent: 'counter', field: 'words' });
  });

  it('rejects an evaluator result without an output', async () => {
    const { flock, request } = setup({ evaluate: undefined, evaluator: { spec: { kind: 'code' }, evaluate: async () => null as never } });
    await expect(executeStep(flock, request)).rejects.toMatchObject({ name: 'AgentOutputValidationError' });
  });

  it('rejects missing inputs before evaluating', async () => {
    const evaluate = jest.fn();
    const { flock, request } = setup({ evaluate }, {});
    await expect(executeStep(flock, request)).rejects.toMatchObject({ name: 'AgentInputValidationError', field: 'text' });
    expect(evaluate).not.toHaveBeenCalled();
  });

  it('rejects an unknown agent of a request without fingerprint', async () => {
    const { flock, request } = setup({});
    const { fingerprint: _fingerprint, ...unplanned } = request;
    await expect(executeStep(flock, { ...unplanned, agent: 'ghost' })).rejects.toMatchObject({ name: 'UnknownAgentError', agent: 'ghost' });
  });

  it('rejects with the abort reason once the signal is aborted', async () => {
    const { flock, request } = setup({});
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(executeStep(flock, request, { signal: controller.signal })).rejects.toThrow('stop');
  });

  it('rejects with the abort reason when the evaluator fails after an abort', async () => {
    const controller = new AbortController();
    const { flock, request } = setup({
      evaluate: () => {
        controller.abort(new Error('cancelled by user'));
        throw new Error('interrupted');
      },
    });
    await expect(executeStep(flock, request, { signal: controller.signal })).rejects.toThrow('cancelled by user');
  });
});

describe('executeStep with components', () => {
  it('runs the hooks of each component in order around the evaluation', async () => {
    const log: string[] = [];
    const { flock, request } = setup({
      components: [recorder('a', log), recorder('b', log)],
      evaluate: () => {
        log.push('evaluate');
        return { words: 1 };
      },
    });
    await executeStep(flock, request);
    expect(log).toEqual(['a.initialize', 'b.initialize', 'a.pre', 'b.pre', 'evaluate', 'a.post', 'b.post', 'a.terminate:ok', 'b.terminate:ok']);
  });

  it('lets onPreEvaluate replace the inputs, validated again', async () => {
    const { flock, request } = setup({ components: [{ name: 'shout', onPreEvaluate: (inputs: Record<string, unknown>) => ({ text: `${String(inputs.text)} again` }) }] });
    const result = await executeStep(flock, request);
    expect(result.output).toEqual({ words: 3 });
    expect(result).not.toHaveProperty('inputs');

    const bad = setup({ components: [{ name: 'breaks', onPreEvaluate: () => ({ text: 5 }) }] });
    await expect(executeStep(bad.flock, bad.request)).rejects.toMatchObject({ name: 'AgentInputValidationError', field: 'text' });
  });

  it('lets onPostEvaluate replace the output, validated again', async () => {
    const { flock, request } = setup({ components: [{ name: 'double', onPostEvaluate: (output: Record<string, unknown>) => ({ words: Number(output.words) * 2 }) }] });
    expect((await executeStep(flock, request)).output).toEqual({ words: 4 });

    const bad = setup({ components: [{ name: 'breaks', onPostEvaluate: () => ({ words: 1.5 }) }] });
    await expect(executeStep(bad.flock, bad.request)).rejects.toMatchObject({ name: 'AgentOutputValidationError', field: 'words' });
  });

  it('runs onError then onTerminate when the evaluation fails', async () => {
    const log: string[] = [];
    const { flock, request } = setup({
      components: [recorder('a', log)],
      evaluate: () => {
        throw new Error('boom');
      },
    });
    await expect(executeStep(flock, request)).rejects.toMatchObject({ name: 'AgentExecutionError' });
    expect(log).toEqual(['a.initialize', 'a.pre', 'a.error', 'a.terminate:failed']);
  });

  it('wraps a failing hook in ComponentError naming component, agent and hook', async () => {
    const { flock, request } = setup({
      components: [
        {
          name: 'guard',
          onInitialize: () => {
            throw new Error('not ready');
          },
        },
      ],
    });
    const error = await rejection<ComponentError>(executeStep(flock, request));
    expect(error.name).toBe('ComponentError');
    expect(error.message).toBe('Component "guard" of agent "counter" failed in onInitialize: Error: not ready');
  });

  it('keeps the original failure when onError or onTerminate also throw', async () => {
    const { flock, request } = setup({
      evaluate: () => {
        throw new Error('original');
      },
      components: [
        {
          name: 'noisy',
          onError: () => {
            throw new Error('in onError');
          },
          onTerminate: () => {
            throw new Error('in onTerminate');
          },
        },
      ],
    });
    const error = await rejection<AgentExecutionError>(executeStep(flock, request));
    expect(error.message).toContain('original');
  });

  it('fails a successful step whose onTerminate throws', async () => {
    const { flock, request } = setup({
      components: [
        {
          name: 'closer',
          onTerminate: () => {
            throw new Error('flush failed');
          },
        },
      ],
    });
    await expect(executeStep(flock, request)).rejects.toMatchObject({ name: 'ComponentError', hook: 'onTerminate', component: 'closer' });
  });

  it('runs onTerminate even when the inputs are invalid', async () => {
    const log: string[] = [];
    const { flock, request } = setup({ components: [recorder('a', log)] }, {});
    await expect(executeStep(flock, request)).rejects.toMatchObject({ name: 'AgentInputValidationError' });
    expect(log).toEqual(['a.initialize', 'a.error', 'a.terminate:failed']);
  });
});

describe('executeStep against the definition the run started with', () => {
  it('runs a step planned by another flock built from the same code', async () => {
    const planned = new Flock({ name: 'steps', agents: [counter({ next: () => null })] });
    const live = new Flock({ name: 'steps', agents: [counter({ next: () => null })] });
    const request = firstStep(planned, 'counter', { text: 'a b c' });
    await expect(executeStep(live, request)).resolves.toMatchObject({ output: { words: 3 }, nextAgent: null });
  });

  it('refuses a step whose agent lost its code hand-off, before any work', async () => {
    const planned = new Flock({ name: 'steps', agents: [counter({ next: () => null })] });
    const evaluate = jest.fn(() => ({ words: 1 }));
    const log: string[] = [];
    const live = new Flock({ name: 'steps', agents: [counter({ evaluate, components: [recorder('a', log)] })] });
    const error = await rejection<DefinitionDriftError>(executeStep(live, firstStep(planned, 'counter', { text: 'hi' })));
    expect(error).toMatchObject({ name: 'DefinitionDriftError', code: 'DEFINITION_DRIFT', agent: 'counter', nonRetryable: true });
    expect(error.differences).toEqual(['the hand-off of "counter" is none here, code in the run']);
    expect(error.message).toContain('Agent "counter" cannot run here');
    expect(evaluate).not.toHaveBeenCalled();
    expect(log).toEqual([]);
  });

  it('refuses a step of an agent this flock does not have', async () => {
    const helper = { name: 'helper', input: 'text: string', output: 'text: string', evaluate: jest.fn((x: Record<string, unknown>) => x) };
    const planned = new Flock({ name: 'steps', agents: [counter(), helper] });
    const live = new Flock({ name: 'steps', agents: [counter()] });
    const error = await rejection<DefinitionDriftError>(executeStep(live, firstStep(planned, 'helper', { text: 'hi' })));
    expect(error).toMatchObject({ name: 'DefinitionDriftError', agent: 'helper' });
    expect(error.differences).toEqual([`"helper" is not an agent of this worker's flock (its agents: counter)`]);
    expect(helper.evaluate).not.toHaveBeenCalled();
  });

  it('refuses a step whose agent changed its output signature', async () => {
    const planned = new Flock({ name: 'steps', agents: [counter()] });
    const evaluate = jest.fn(() => ({ words: 1, chars: 2 }));
    const live = new Flock({ name: 'steps', agents: [counter({ output: 'words: integer, chars: integer', evaluate })] });
    const error = await rejection<DefinitionDriftError>(executeStep(live, firstStep(planned, 'counter', { text: 'hi' })));
    expect(error.name).toBe('DefinitionDriftError');
    expect(error.differences).toEqual(['the output signature of "counter" differs']);
    expect(evaluate).not.toHaveBeenCalled();
  });

  it('refuses a step planned before another agent joined the flock', async () => {
    const planned = new Flock({ name: 'steps', agents: [counter()] });
    const live = new Flock({ name: 'steps', agents: [counter(), { name: 'extra', input: '', output: '', evaluate: () => ({}) }] });
    await expect(executeStep(live, firstStep(planned, 'counter', { text: 'hi' }))).rejects.toMatchObject({
      name: 'DefinitionDriftError',
      differences: ['the set of agent names differs'],
    });
  });

  it('runs a request without a fingerprint (contract v1) unchecked', async () => {
    const planned = new Flock({ name: 'steps', agents: [counter({ next: () => null })] });
    const live = new Flock({ name: 'steps', agents: [counter()] });
    const { fingerprint: _fingerprint, ...request } = firstStep(planned, 'counter', { text: 'hi' });
    await expect(executeStep(live, request)).resolves.toMatchObject({ output: { words: 1 } });
  });
});

describe('executeStep hand-offs', () => {
  const report = { name: 'report', input: 'words: integer', output: 'line: string', evaluate: ({ words }: Record<string, unknown>) => ({ line: String(words) }) };

  function handoffFlock(options: Partial<AgentOptions>) {
    const flock = new Flock({ name: 'steps', agents: [counter(options), report] });
    return { flock, request: (text: string) => firstStep(flock, 'counter', { text }) };
  }

  it("decides a code hand-off in the step: the next function's choice, or null to end the run", async () => {
    const { flock, request } = handoffFlock({ next: (_ctx: AgentContext, output: Record<string, unknown>) => (Number(output['words']) > 1 ? 'report' : null) });
    await expect(executeStep(flock, request('a b'))).resolves.toMatchObject({ output: { words: 2 }, nextAgent: 'report' });
    const ended = await executeStep(flock, request('a'));
    expect(ended).toHaveProperty('nextAgent', null);
    expect(ended).not.toHaveProperty('routingUsage');
  });

  it("lets the next function see the run after the step, with the step's variables, read-only", async () => {
    const seen: unknown[] = [];
    const { flock, request } = handoffFlock({
      context: { input: true },
      evaluate: (_inputs: unknown, ctx: AgentContext) => {
        ctx.setVariable('counted', true);
        return { words: 1 };
      },
      next: (ctx: AgentContext) => {
        seen.push(ctx.iteration, ctx.getVariable('counted'), ctx.agentName, ctx.input);
        return null;
      },
    });
    await executeStep(flock, request('a'));
    expect(seen).toEqual([1, true, 'counter', { text: 'a' }]);
  });

  it("decides a router hand-off in the step and returns the router's usage apart from the step's", async () => {
    const routingUsage = { inputTokens: 5, outputTokens: 2, totalTokens: 7 };
    const router = defineRouter({ name: 'model-like', route: () => ({ nextAgent: 'report', usage: routingUsage }) });
    const { flock, request } = handoffFlock({
      evaluate: undefined,
      evaluator: { spec: { kind: 'model' }, evaluate: async () => ({ output: { words: 1 }, usage: { inputTokens: 10, outputTokens: 1, totalTokens: 11 } }) },
      next: router,
    });
    await expect(executeStep(flock, request('a'))).resolves.toMatchObject({
      nextAgent: 'report',
      routingUsage,
      usage: { inputTokens: 10, outputTokens: 1, totalTokens: 11 },
    });
  });

  it("gives the step's evaluator, components and router one idempotency key and each tool call its own, the same on every attempt", async () => {
    const keys: string[] = [];
    const record = (where: string) => (ctx: AgentContext) => void keys.push(`${where}=${ctx.idempotencyKey}`);
    const router = defineRouter({ name: 'r', route: ({ context }) => (record('router')(context), { nextAgent: 'report' }) });
    const tool = defineTool({ name: 'key', input: '', execute: (_args, ctx) => (record('tool')(ctx), 'ok') });
    const { flock, request } = handoffFlock({
      tools: [tool],
      components: [{ name: 'c', onInitialize: record('component') }],
      evaluate: async (_inputs, ctx) => (record('evaluate')(ctx), await ctx.callTool('key'), await ctx.callTool('key'), record('evaluate')(ctx), { words: 1 }),
      next: router,
    });
    await executeStep(flock, request('a'), { attempt: 1 });
    await executeStep(flock, request('a'), { attempt: 2 });
    const key = 'run-1:0:counter';
    expect(keys).toEqual([1, 2].flatMap(() => [`component=${key}`, `evaluate=${key}`, `tool=${key}:tool:1`, `tool=${key}:tool:2`, `evaluate=${key}`, `router=${key}`]));
  });

  it('gives every step of a run its own idempotency key', async () => {
    const keys: string[] = [];
    const flock = new Flock({
      name: 'keys',
      agents: [
        { name: 'a', input: '', output: '', evaluate: (_i, ctx) => (keys.push(ctx.idempotencyKey), {}), next: 'b' },
        { name: 'b', input: '', output: '', evaluate: (_i, ctx) => (keys.push(ctx.idempotencyKey), {}), next: 'a' },
      ],
      maxIterations: 3,
    });
    await runLocally(flock, { startAgent: 'a', input: {}, runId: 'r-9' }).catch(() => undefined);
    expect(keys).toEqual(['r-9:0:a', 'r-9:1:b', 'r-9:2:a']);
  });

  it('leaves a static hand-off to the run loop', async () => {
    const { flock, request } = handoffFlock({ next: 'report' });
    expect(await executeStep(flock, request('a'))).not.toHaveProperty('nextAgent');
  });

  it('leaves code and router hand-offs alone with decideHandoff: false (contract v1 routes apart)', async () => {
    const next = jest.fn(() => 'report');
    const route = jest.fn(() => ({ nextAgent: 'report', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }));
    const byCode = handoffFlock({ next });
    const byRouter = handoffFlock({ next: defineRouter({ name: 'r', route }) });
    for (const { flock, request } of [byCode, byRouter]) {
      const result = await executeStep(flock, request('a'), { decideHandoff: false });
      expect(result).not.toHaveProperty('nextAgent');
      expect(result).not.toHaveProperty('routingUsage');
    }
    expect(next).not.toHaveBeenCalled();
    expect(route).not.toHaveBeenCalled();
  });

  it('fails the step when the hand-off cannot be decided', async () => {
    const throwing = handoffFlock({
      next: () => {
        throw new Error('no idea');
      },
    });
    await expect(executeStep(throwing.flock, throwing.request('a'))).rejects.toMatchObject({ name: 'RoutingError', agent: 'counter' });
    const unknown = handoffFlock({ next: () => 'nowhere' });
    await expect(executeStep(unknown.flock, unknown.request('a'))).rejects.toMatchObject({
      name: 'UnknownAgentError',
      message: 'Unknown hand-off from "counter" to agent "nowhere" (known agents: counter, report)',
    });
  });

  it('runs onTerminate before the hand-off is decided', async () => {
    const log: string[] = [];
    const { flock, request } = handoffFlock({ components: [recorder('a', log)], next: () => (log.push('next'), null) });
    await executeStep(flock, request('a'));
    expect(log.slice(-2)).toEqual(['a.terminate:ok', 'next']);
  });
});

describe('the context agent option', () => {
  type Seen = { history: unknown; input: unknown; last: unknown; lastOfA: unknown; iteration: number };

  /** What `fn` returns, or the name of what it throws. */
  function read(fn: () => unknown): unknown {
    try {
      return fn();
    } catch (error) {
      return (error as Error).name;
    }
  }

  /** a -> b -> c -> d, each recording what its context shows; `d` declares `context`. */
  async function chain(context?: AgentOptions['context']) {
    const seen: Record<string, Seen> = {};
    const step = (name: string, next?: string): AgentOptions => ({
      name,
      input: '',
      output: 'n: integer',
      ...(name === 'd' && context ? { context } : {}),
      evaluate: (_inputs, ctx) => {
        seen[name] = {
          history: read(() => ctx.history.map((s) => s.agent)),
          input: read(() => ctx.input),
          last: read(() => ctx.lastOutput()),
          lastOfA: read(() => ctx.lastOutput('a')),
          iteration: ctx.iteration,
        };
        return { n: ctx.iteration };
      },
      ...(next ? { next } : {}),
    });
    const flock = new Flock({ name: 'window', agents: [step('a', 'b'), step('b', 'c'), step('c', 'd'), step('d')] });
    await runLocally(flock, { startAgent: 'a', input: { topic: 't' } });
    return seen;
  }

  it('carries neither history nor the run input by default: reading them says what to declare', async () => {
    const seen = await chain();
    expect(seen['d']).toEqual({
      history: 'ContextNotDeclaredError',
      input: 'ContextNotDeclaredError',
      last: 'ContextNotDeclaredError',
      lastOfA: 'ContextNotDeclaredError',
      iteration: 3,
    });
  });

  it('shows as many latest steps as context.history asks, and the run input with context.input', async () => {
    const seen = await chain({ history: 2, input: true });
    expect(seen['d']).toEqual({ history: ['b', 'c'], input: { topic: 't' }, last: { n: 2 }, lastOfA: undefined, iteration: 3 });
    expect(seen['b'].history).toBe('ContextNotDeclaredError');
  });

  it('shows history without the run input when only context.history is declared', async () => {
    const seen = await chain({ history: 1 });
    expect(seen['d']).toMatchObject({ history: ['c'], input: 'ContextNotDeclaredError' });
  });

  it('shows every step so far when the run is shorter than the window', async () => {
    const seen = await chain({ history: 100 });
    expect(seen['d'].history).toEqual(['a', 'b', 'c']);
    expect(seen['d'].lastOfA).toEqual({ n: 0 });
  });

  it('fails the step of an agent that reads what it did not declare, saying what to add', async () => {
    const flock = new Flock({
      name: 'undeclared',
      agents: [{ name: 'a', input: '', output: 'topic: string', evaluate: (_inputs, ctx) => ({ topic: String(ctx.input['topic']) }) }],
    });
    const error = await rejection<FlockRunFailedError>(runLocally(flock, { startAgent: 'a', input: { topic: 't' } }));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'a', causeType: 'ContextNotDeclaredError' });
    expect(error.message).toContain('Agent "a" reads ctx.input, which its steps carry only when declared: add context: { input: true } to the agent');
  });

  it('lets routing see the window up to and including the step that just finished', async () => {
    const routed: string[][] = [];
    const flock = new Flock({
      name: 'window',
      agents: [
        { name: 'a', input: '', output: 'n: integer', evaluate: () => ({ n: 0 }), next: 'b' },
        {
          name: 'b',
          input: '',
          output: 'n: integer',
          context: { history: 2 },
          evaluate: (_inputs, ctx) => ({ n: ctx.iteration }),
          next: (ctx) => {
            routed.push(ctx.history.map((s) => `${s.agent}:${String(s.output['n'])}`));
            return ctx.iteration < 4 ? 'b' : null;
          },
        },
      ],
    });
    await runLocally(flock, { startAgent: 'a', input: {} });
    expect(routed).toEqual([
      ['a:0', 'b:1'],
      ['b:1', 'b:2'],
      ['b:2', 'b:3'],
    ]);
  });
});
