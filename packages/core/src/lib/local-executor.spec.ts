import { RECENT_STEPS } from '@flock-ts/engine';
import type { AgentOptions } from './agent';
import type { FlockRunFailedError } from './errors';
import { Flock } from './flock';
import { LocalExecutor, runLocally } from './local-executor';
import { defineRouter } from './router';
import type { StepRecord } from './run-state';
import { defineTool } from './tool';

const pipeline = () =>
  new Flock({
    name: 'pipeline',
    agents: [
      { name: 'split', input: 'text: string', output: 'words: string[]', evaluate: ({ text }) => ({ words: String(text).split(/\s+/) }), next: 'count' },
      {
        name: 'count',
        input: 'words: string[]',
        output: 'count: integer',
        evaluate: (inputs, ctx) => {
          ctx.setVariable('counted', true);
          return { count: (inputs.words as string[]).length };
        },
        next: 'report',
      },
      { name: 'report', input: 'count: integer, text: string', output: 'line: string', evaluate: ({ count, text }) => ({ line: `"${String(text)}" has ${String(count)} words` }) },
    ],
  });

async function failure(promise: Promise<unknown>): Promise<FlockRunFailedError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (e: unknown) => e as FlockRunFailedError,
  );
  expect(error.name).toBe('FlockRunFailedError');
  return error;
}

function loop(maxIterations: number): Flock {
  const base = { input: 'n: integer', output: 'n: integer', evaluate: ({ n }: Record<string, unknown>) => ({ n: Number(n) + 1 }) };
  return new Flock({
    name: 'loop',
    maxIterations,
    agents: [
      { ...base, name: 'start', next: 'ping' },
      { ...base, name: 'ping', next: 'pong' },
      { ...base, name: 'pong', next: 'ping' },
    ],
  });
}

describe('runLocally', () => {
  it('follows hand-offs and returns the last output, the steps and the variables', async () => {
    const result = await runLocally(pipeline(), { startAgent: 'split', input: { text: 'one two three' }, runId: 'run-7', sessionId: 's-1' });
    expect(result).toMatchObject({
      runId: 'run-7',
      sessionId: 's-1',
      flockName: 'pipeline',
      lastAgent: 'report',
      output: { line: '"one two three" has 3 words' },
      variables: { counted: true },
      stepCount: 3,
    });
    expect(result.steps.map((step) => [step.step, step.agent, step.nextAgent])).toEqual([
      [0, 'split', 'count'],
      [1, 'count', 'report'],
      [2, 'report', null],
    ]);
    expect(result.steps[0]).not.toHaveProperty('output');
    expect(result).not.toHaveProperty('usage');
  });

  it('reports each whole step as it finishes', async () => {
    const seen: StepRecord[] = [];
    await runLocally(pipeline(), { startAgent: 'split', input: { text: 'a b' }, onStep: (step) => seen.push(step) });
    expect(seen.map((step) => [step.step, step.agent, step.inputs, step.output, step.nextAgent])).toEqual([
      [0, 'split', { text: 'a b' }, { words: ['a', 'b'] }, 'count'],
      [1, 'count', { words: ['a', 'b'] }, { count: 2 }, 'report'],
      [2, 'report', { count: 2, text: 'a b' }, { line: '"a b" has 2 words' }, null],
    ]);
    expect(seen[0]).toMatchObject({ attempt: 1, startedAt: expect.any(String), finishedAt: expect.any(String) });
  });

  it(`keeps only the latest ${RECENT_STEPS} steps in the result of a longer run`, async () => {
    const flock = new Flock({
      name: 'count',
      maxIterations: 100,
      agents: [
        {
          name: 'count',
          input: 'n: integer',
          output: 'n: integer',
          evaluate: ({ n }) => ({ n: Number(n) + 1 }),
          next: (_ctx, output) => (Number(output['n']) < 25 ? 'count' : null),
        },
      ],
    });
    const seen: StepRecord[] = [];
    const result = await runLocally(flock, { startAgent: 'count', input: { n: 0 }, onStep: (step) => seen.push(step) });
    expect(result).toMatchObject({ output: { n: 25 }, stepCount: 25 });
    expect(result.steps.map((step) => step.step)).toEqual(Array.from({ length: RECENT_STEPS }, (_, i) => i + 5));
    expect(seen).toHaveLength(25);
  });

  it('can start at any agent', async () => {
    const result = await runLocally(pipeline(), { startAgent: 'count', input: { words: ['x'], text: 'x' } });
    expect(result.steps.map((step) => step.agent)).toEqual(['count', 'report']);
  });

  it('fails before anything runs on an unknown start agent', async () => {
    const evaluate = jest.fn(() => ({ out: '' }));
    const flock = new Flock({ name: 'f', agents: [{ name: 'a', input: '', output: 'out', evaluate }] });
    await expect(runLocally(flock, { startAgent: 'b', input: {} })).rejects.toMatchObject({
      name: 'FlockRunFailedError',
      code: 'UNKNOWN_AGENT',
      message: 'Unknown start agent "b" (known agents: a)',
    });
    expect(evaluate).not.toHaveBeenCalled();
  });

  it('fails before anything runs on an input that is not an object', async () => {
    const evaluate = jest.fn(() => ({ out: '' }));
    const flock = new Flock({ name: 'f', agents: [{ name: 'a', input: '', output: 'out', evaluate }] });
    // the same refusal as flock.run and a start on Temporal (prepareRunInput)
    await expect(runLocally(flock, { startAgent: 'a', input: ['x'] as never })).rejects.toMatchObject({
      name: 'FlockConfigError',
      message: expect.stringContaining('input: the run input must be an object of named values'),
    });
    expect(evaluate).not.toHaveBeenCalled();
  });

  it('fails before anything runs on a static hand-off to an unknown agent', async () => {
    const evaluate = jest.fn(() => ({ out: '' }));
    const flock = new Flock({ name: 'f', agents: [{ name: 'a', input: '', output: 'out', evaluate, next: 'missing' }] });
    await expect(runLocally(flock, { startAgent: 'a', input: {} })).rejects.toMatchObject({
      name: 'FlockConfigError',
      message: expect.stringContaining('hand-off from "a" to unknown agent "missing"'),
    });
    expect(evaluate).not.toHaveBeenCalled();
  });

  it('ends a cyclic hand-off at maxIterations, naming the cycle', async () => {
    const steps: string[] = [];
    const error = await failure(runLocally(loop(5), { startAgent: 'start', input: { n: 0 }, onStep: (s) => steps.push(s.agent) }));
    expect(error).toMatchObject({ code: 'MAX_ITERATIONS_EXCEEDED', agent: 'ping', causeType: 'MaxIterationsExceededError' });
    expect(steps).toEqual(['start', 'ping', 'pong', 'ping', 'pong']);
    expect(error.message).toContain('maxIterations (5)');
    expect(error.message).toContain('cycle: ping -> pong -> ping');
  });

  it('caps runs at 20 steps by default', async () => {
    const steps: StepRecord[] = [];
    const flock = new Flock({ name: 'forever', agents: [{ name: 'again', input: '', output: '', evaluate: () => ({}), next: 'again' }] });
    const error = await failure(runLocally(flock, { startAgent: 'again', input: {}, onStep: (s) => steps.push(s) }));
    expect(error).toMatchObject({ code: 'MAX_ITERATIONS_EXCEEDED', agent: 'again' });
    expect(error.message).toContain('maxIterations (20)');
    expect(error.message).toContain('cycle: again -> again');
    expect(steps).toHaveLength(20);
  });

  it('runs exactly maxIterations steps without error', async () => {
    const flock = new Flock({
      name: 'three',
      maxIterations: 3,
      agents: [
        { name: 'a', input: '', output: '', evaluate: () => ({}), next: 'b' },
        { name: 'b', input: '', output: '', evaluate: () => ({}), next: 'c' },
        { name: 'c', input: '', output: '', evaluate: () => ({}) },
      ],
    });
    await expect(runLocally(flock, { startAgent: 'a', input: {} })).resolves.toMatchObject({ lastAgent: 'c' });
  });

  it('rejects with the failing agent and cause, after the steps before it', async () => {
    const steps: string[] = [];
    const failing: AgentOptions = {
      name: 'count',
      input: 'words: string[]',
      output: 'count: integer',
      evaluate: () => {
        throw new Error('disk on fire');
      },
    };
    const flock = pipeline();
    const broken = new Flock({ name: 'broken', agents: [flock.agent('split'), failing] });
    const error = await failure(runLocally(broken, { startAgent: 'split', input: { text: 'a' }, onStep: (s) => steps.push(s.agent) }));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', agent: 'count', causeType: 'Error', message: 'Agent "count" failed: Error: disk on fire' });
    // the cause is the step's own error, which keeps the evaluator's
    expect(error.cause).toMatchObject({ name: 'AgentExecutionError', agent: 'count', causeName: 'Error' });
    expect((error.cause as Error).cause).toMatchObject({ message: 'disk on fire' });
    expect(steps).toEqual(['split']);
  });

  it('names the failure type of an invalid output and of invalid inputs', async () => {
    const sloppy = new Flock({ name: 'sloppy', agents: [{ name: 'sloppy', input: '', output: 'count: integer', evaluate: () => ({ count: 'many' }) }] });
    const output = await failure(runLocally(sloppy, { startAgent: 'sloppy', input: {} }));
    expect(output).toMatchObject({ code: 'AGENT_FAILED', agent: 'sloppy', causeType: 'AgentOutputValidationError' });
    expect(output.message).toContain('Agent "sloppy" returned invalid output "count"');
    expect(output.cause).toMatchObject({ name: 'AgentOutputValidationError', field: 'count' });
    const input = await failure(runLocally(pipeline(), { startAgent: 'count', input: {} }));
    expect(input).toMatchObject({ code: 'AGENT_FAILED', agent: 'count', causeType: 'AgentInputValidationError' });
    expect(input.cause).toMatchObject({ field: 'words' });
  });

  it('fails a hand-off to an unknown agent with UNKNOWN_AGENT, naming the agent that chose it', async () => {
    const flock = new Flock({ name: 'lost', agents: [{ name: 'lost', input: 'x: string', output: 'x: string', evaluate: ({ x }) => ({ x }), next: () => 'nowhere' }] });
    const error = await failure(runLocally(flock, { startAgent: 'lost', input: { x: 'hi' } }));
    expect(error).toMatchObject({ code: 'UNKNOWN_AGENT', agent: 'lost', causeType: 'UnknownAgentError' });
    expect(error.message).toBe('Unknown hand-off from "lost" to agent "nowhere" (known agents: lost)');
  });

  it('fails on a failing tool, naming tool and agent once', async () => {
    const flock = new Flock({
      name: 'tools',
      tools: [
        defineTool({
          name: 'flaky',
          input: 'q: string',
          execute: () => {
            throw new Error('upstream 503');
          },
        }),
      ],
      agents: [{ name: 'caller', input: 'q: string', output: 'a: string', tools: ['flaky'], evaluate: async ({ q }, ctx) => ({ a: String(await ctx.callTool('flaky', { q })) }) }],
    });
    const error = await failure(runLocally(flock, { startAgent: 'caller', input: { q: 'hi' } }));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', agent: 'caller', causeType: 'Error' });
    expect(error.message).toBe('Tool "flaky" called by agent "caller" failed: upstream 503');
    expect(error.cause).toMatchObject({ name: 'ToolError', tool: 'flaky' });
  });

  it('sums the token usage of the steps', async () => {
    const model = (tokens: number) => ({
      spec: { kind: 'model' as const },
      evaluate: async () => ({ output: {}, usage: { inputTokens: tokens, outputTokens: 1, totalTokens: tokens + 1 } }),
    });
    const flock = new Flock({
      name: 'usage',
      agents: [
        { name: 'a', input: '', output: '', evaluator: model(10), next: 'b' },
        { name: 'b', input: '', output: '', evaluator: model(20) },
      ],
    });
    expect((await runLocally(flock, { startAgent: 'a', input: {} })).usage).toEqual({ inputTokens: 30, outputTokens: 2, totalTokens: 32 });
  });

  it('passes variables from one step to the next', async () => {
    const flock = new Flock({
      name: 'vars',
      agents: [
        { name: 'a', input: '', output: '', evaluate: (_i, ctx) => (ctx.setVariable('token', 'abc'), {}), next: 'b' },
        { name: 'b', input: 'token: string', output: 'seen: string', evaluate: (inputs, ctx) => ({ seen: `${String(inputs.token)}/${String(ctx.getVariable('token'))}` }) },
      ],
    });
    expect((await runLocally(flock, { startAgent: 'a', input: {} })).output).toEqual({ seen: 'abc/abc' });
  });

  it('stops when the signal aborts between steps', async () => {
    const controller = new AbortController();
    const flock = new Flock({
      name: 'abort',
      agents: [
        { name: 'a', input: '', output: '', evaluate: () => (controller.abort(new Error('user cancelled')), {}), next: 'b' },
        { name: 'b', input: '', output: '', evaluate: () => ({}) },
      ],
    });
    await expect(runLocally(flock, { startAgent: 'a', input: {}, signal: controller.signal })).rejects.toThrow('user cancelled');
  });

  it('produces a result that survives JSON', async () => {
    const result = await runLocally(pipeline(), { startAgent: 'split', input: { text: 'x y' } });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

describe('LocalExecutor', () => {
  it('runs a flock in-process', async () => {
    const result = await new LocalExecutor().run(pipeline(), { startAgent: 'split', input: { text: 'a b c d' } });
    expect(result.output).toEqual({ line: '"a b c d" has 4 words' });
  });
});

describe('router token usage', () => {
  it("counts a router's tokens in the run, on the step that routed", async () => {
    const flock = new Flock({ name: 'routed' });
    flock.registerRouter(defineRouter({ name: 'model-like', route: () => ({ nextAgent: 'b', usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } }) }));
    flock.addAgent({
      name: 'a',
      input: 'x: string',
      output: 'x: string',
      evaluator: {
        spec: { kind: 'code' },
        evaluate: async ({ inputs }: { inputs: Record<string, unknown> }) => ({ output: inputs, usage: { inputTokens: 10, outputTokens: 1, totalTokens: 11 } }),
      },
      next: { router: 'model-like' },
    });
    flock.addAgent({ name: 'b', input: 'x: string', output: 'x: string', evaluate: ({ x }: Record<string, unknown>) => ({ x }) });
    const result = await flock.run({ startAgent: 'a', input: { x: 'hi' } });
    expect(result.steps[0].routingUsage).toEqual({ inputTokens: 5, outputTokens: 2, totalTokens: 7 });
    expect(result.usage).toEqual({ inputTokens: 15, outputTokens: 3, totalTokens: 18 });
  });
});

describe('values a run could not store', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 'x';
    for (let i = 0; i < levels; i++) value = { c: value };
    return value;
  };
  const producing = (evaluate: AgentOptions['evaluate']) => new Flock({ name: 'unstorable', agents: [{ name: 'a', input: '', output: 'y: unknown', evaluate }] });
  const cases: Array<[string, AgentOptions['evaluate'], RegExp]> = [
    ['a Buffer in the output', () => ({ y: { data: Buffer.from('hi') } }), /output\.y\.data: a Buffer is not storable: .*new Uint8Array\(buf\)/],
    ['a Buffer in a variable', (_i, ctx) => (ctx.setVariable('file', Buffer.from('hi')), { y: 1 }), /variables\.file: a Buffer is not storable/],
    ['an output nested 5,000 levels deep', () => ({ y: nested(5_000) }), /output\.y\.c\.c\.c.*…: nested deeper than 100 levels/],
    ['a __proto__ key in the output', () => ({ y: JSON.parse('{"__proto__": {"admin": true}}') as unknown }), /output\.y\.__proto__: the key "__proto__" is not storable/],
    ['a constructor key in the output', () => ({ y: [{ constructor: 'x' }] }), /output\.y\[0\]\.constructor: the key "constructor" is not storable/],
    ['a prototype key in the output', () => ({ y: { prototype: 1 } }), /output\.y\.prototype: the key "prototype" is not storable/],
    ['a variable named __proto__', (_i, ctx) => (ctx.setVariable('__proto__', { admin: true }), { y: 1 }), /variables\.__proto__: the key "__proto__" is not storable/],
  ];

  it.each(cases)('fails the run on %s, once, naming the path', async (_name, evaluate, message) => {
    const evaluator = jest.fn(evaluate);
    const error = await failure(runLocally(producing(evaluator as AgentOptions['evaluate']), { startAgent: 'a', input: {} }));
    expect(error).toMatchObject({ code: 'AGENT_FAILED', agent: 'a', causeType: 'SerializationError' });
    expect(error.message).toMatch(/Agent "a" produced a value a Temporal run cannot store/);
    expect(error.message).toMatch(message);
    expect(evaluator).toHaveBeenCalledTimes(1);
  });

  it('setVariable("__proto__") never changes the prototype of the variables', async () => {
    let seen: unknown;
    const flock = producing((_i, ctx) => {
      ctx.setVariable('__proto__', { admin: true });
      seen = (ctx.variables as { admin?: unknown }).admin;
      return { y: 1 };
    });
    await failure(runLocally(flock, { startAgent: 'a', input: {} }));
    expect(seen).toBeUndefined();
  });

  it.each([
    ['a Buffer', { x: Buffer.from('hi') }, /input\.x: a Buffer is not storable/],
    ['a value nested 5,000 levels deep', { x: nested(5_000) }, /input\.x\.c\.c.*: nested deeper than 100 levels/],
    ['a constructor key', { x: { constructor: 1 } }, /input\.x\.constructor: the key "constructor" is not storable/],
  ])('flock.run refuses %s in the run input before anything runs', async (_name, input, message) => {
    const evaluate = jest.fn(() => ({ y: 1 }));
    await expect(producing(evaluate).run({ startAgent: 'a', input })).rejects.toMatchObject({ name: 'FlockConfigError', message: expect.stringMatching(message) });
    expect(evaluate).not.toHaveBeenCalled();
  });
});
