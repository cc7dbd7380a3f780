import type { FlockConfigError } from '@flock-ts/config';
import { z } from 'zod';
import { defineAgent, isAgent, type AgentOptions } from './agent';
import { defineRouter } from './router';
import { defineTool } from './tool';

const aToB = ({ a }: { a: string }) => ({ b: a });

function configError(fn: () => unknown): FlockConfigError {
  try {
    fn();
  } catch (error) {
    expect((error as Error).name).toBe('FlockConfigError');
    return error as FlockConfigError;
  }
  throw new Error('expected a FlockConfigError');
}

const paths = (error: FlockConfigError) => error.issues.map((issue) => issue.path);

describe('defineAgent', () => {
  it('compiles string signatures', () => {
    const agent = defineAgent({ name: 'echo', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text }) });
    expect(isAgent(agent)).toBe(true);
    expect(agent.input.fields).toEqual(['text']);
    expect(agent.output.schema.safeParse({ text: 1 }).success).toBe(false);
  });

  it('rejects a bad name, naming the field', () => {
    const error = configError(() => defineAgent({ name: '1st agent', input: 'a', output: 'b', evaluate: aToB }));
    expect(paths(error)).toEqual(['name']);
    expect(error.message).toContain('a name starts with a letter');
  });

  it('rejects a bad signature, naming input or output', () => {
    const error = configError(() => defineAgent({ name: 'x', input: 'a: strng', output: 'b: {', evaluate: aToB }));
    expect(paths(error)).toEqual(['input', 'output']);
    expect(error.message).toContain('agent "x"');
  });

  it('needs exactly one of evaluate and evaluator', () => {
    expect(paths(configError(() => defineAgent({ name: 'x', input: 'a', output: 'b' })))).toEqual(['evaluate']);
    const both = configError(() =>
      defineAgent({ name: 'x', input: 'a', output: 'b', evaluate: aToB, evaluator: { spec: { kind: 'code' }, evaluate: async () => ({ output: {} }) } }),
    );
    expect(paths(both)).toEqual(['evaluator']);
  });

  it('validates an evaluator spec', () => {
    const error = configError(() =>
      defineAgent({
        name: 'x',
        input: 'a',
        output: 'b',
        evaluator: { spec: { kind: 'model', temperature: 7 }, evaluate: async () => ({ output: {} }) },
      }),
    );
    expect(paths(error)).toEqual(['evaluator.spec.temperature']);
  });

  it('rejects unknown options so typos do not pass silently', () => {
    const options = { name: 'x', input: 'a', output: 'b', evaluate: aToB, nextAgent: 'y' } as unknown as AgentOptions;
    expect(paths(configError(() => defineAgent(options)))).toEqual(['nextAgent']);
  });

  it('validates the Temporal activity config with its path', () => {
    const error = configError(() => defineAgent({ name: 'x', input: 'a', output: 'b', evaluate: aToB, temporalActivityConfig: { retryMaxAttempts: 0 } }));
    expect(paths(error)).toEqual(['temporalActivityConfig.retryMaxAttempts']);
  });

  it('takes a budget and puts it into the definition', () => {
    const agent = defineAgent({ name: 'x', input: 'a', output: 'b', evaluate: aToB, budget: { maxTokens: 2000, maxModelCalls: 5 } });
    expect(agent.budget).toEqual({ maxTokens: 2000, maxModelCalls: 5 });
    expect(agent.toDefinition().budget).toEqual({ maxTokens: 2000, maxModelCalls: 5 });
    expect(defineAgent({ name: 'y', input: 'a', output: 'b', evaluate: aToB }).toDefinition()).not.toHaveProperty('budget');
  });

  it.each([
    [{ maxTokens: 0 }, 'budget.maxTokens', 'budget.maxTokens: budget.maxTokens must be >= 1'],
    [{ maxModelCalls: 2.5 }, 'budget.maxModelCalls', 'budget.maxModelCalls: budget.maxModelCalls must be an integer'],
    [{}, 'budget', 'budget: a budget sets maxTokens, maxModelCalls or both'],
    [{ maxTokens: 10, maxTokenz: 10 }, 'budget', 'maxTokenz'],
  ])('rejects budget %j, naming %s', (budget, path, message) => {
    const error = configError(() => defineAgent({ name: 'x', input: 'a', output: 'b', evaluate: aToB, budget: budget as never }));
    expect(paths(error)).toEqual([path]);
    expect(error.message).toContain(message);
  });

  it('takes what its steps see of the run as context, defaults applied', () => {
    const base = { name: 'x', input: 'a', output: 'b', evaluate: aToB };
    expect(defineAgent(base).context).toBeUndefined();
    expect(defineAgent({ ...base, context: { history: 3 } }).context).toEqual({ history: 3, input: false });
    expect(defineAgent({ ...base, context: { input: true } }).context).toEqual({ history: 0, input: true });
  });

  it.each([
    [{ history: -1 }, 'context.history', 'context.history must be >= 0'],
    [{ history: 101 }, 'context.history', 'context.history must be <= 100'],
    [{ history: 1.5 }, 'context.history', ''],
    [{ input: 'yes' }, 'context.input', ''],
    [{ histroy: 2 }, 'context', 'histroy'],
    ['all', 'context', ''],
  ])('rejects context %j, naming %s', (context, path, message) => {
    const error = configError(() => defineAgent({ name: 'x', input: 'a', output: 'b', evaluate: aToB, context: context as never }));
    expect(paths(error)).toEqual([path]);
    expect(error.message).toContain(message);
    expect(error.message).toContain('agent "x"');
  });

  it('rejects duplicate tools and components and malformed hand-offs', () => {
    const options = {
      name: 'x',
      input: 'a',
      output: 'b',
      evaluate: aToB,
      tools: ['search', 'search', 3],
      components: [{ name: 'c' }, { name: 'c', onInitialize: 'no' }],
      next: 42,
    } as unknown as AgentOptions;
    expect(paths(configError(() => defineAgent(options)))).toEqual(['tools[1]', 'tools[2]', 'next', 'components[1].name', 'components[1].onInitialize']);
  });

  it('separates inline tools from tool names', () => {
    const inline = defineTool({ name: 'clock', input: '', execute: () => 'noon' });
    const agent = defineAgent({ name: 'x', input: 'a', output: 'b', evaluate: aToB, tools: ['search', inline] });
    expect(agent.toolNames).toEqual(['search', 'clock']);
    expect(agent.inlineTools).toEqual([inline]);
  });

  it('normalizes each kind of hand-off', () => {
    const router = defineRouter({ name: 'pick', route: () => ({ nextAgent: null }) });
    const next = () => null;
    const base = { input: 'a', output: 'b', evaluate: aToB };
    expect(defineAgent({ ...base, name: 's', next: 'other' }).handoff).toEqual({ kind: 'static', agent: 'other' });
    expect(defineAgent({ ...base, name: 'c', next }).handoff).toEqual({ kind: 'code', next });
    expect(defineAgent({ ...base, name: 'r', next: router }).handoff).toEqual({ kind: 'router', router });
    expect(defineAgent({ ...base, name: 'n', next: { router: 'pick' } }).handoff).toEqual({ kind: 'router', router: 'pick' });
  });

  it('types evaluate from zod signatures', async () => {
    const agent = defineAgent({
      name: 'typed',
      input: z.object({ words: z.array(z.string()) }),
      output: z.object({ count: z.int() }),
      evaluate: ({ words }) => ({ count: words.length }),
    });
    const result = await agent.evaluator.evaluate({ agent, inputs: { words: ['a', 'b'] }, context: undefined as never, tools: [] });
    expect(result.output).toEqual({ count: 2 });
  });
});

describe('Agent.toDefinition', () => {
  it('describes the agent as plain data without code', () => {
    const agent = defineAgent({
      name: 'writer',
      description: 'writes',
      input: 'topic: string',
      output: z.object({ text: z.string() }),
      evaluate: () => ({ text: '' }),
      tools: ['search'],
      components: [{ name: 'audit' }],
      next: () => null,
      temporalActivityConfig: { startToCloseTimeoutSeconds: 60 },
      context: { history: 2 },
      settings: { tone: 'dry' },
    });
    const definition = agent.toDefinition();
    expect(definition).toEqual({
      name: 'writer',
      description: 'writes',
      input: 'topic: string',
      output: { jsonSchema: expect.objectContaining({ type: 'object' }) },
      evaluator: { kind: 'code' },
      tools: ['search'],
      components: ['audit'],
      next: { kind: 'code' },
      temporalActivityConfig: { startToCloseTimeoutSeconds: 60 },
      context: { history: 2, input: false },
      settings: { tone: 'dry' },
    });
    expect(JSON.parse(JSON.stringify(definition))).toEqual(definition);
  });

  it('leaves context out of the definition when the agent declares none', () => {
    expect(defineAgent({ name: 'x', input: 'a', output: 'b', evaluate: aToB }).toDefinition()).not.toHaveProperty('context');
  });

  it('records a router hand-off by the router name', () => {
    const router = defineRouter({ name: 'pick', route: () => ({ nextAgent: null }) });
    const agent = defineAgent({ name: 'x', input: 'a', output: 'b', evaluate: aToB, next: router });
    expect(agent.toDefinition().next).toEqual({ kind: 'router', router: 'pick' });
  });

  it('records a custom evaluator by its spec', () => {
    const agent = defineAgent({
      name: 'x',
      input: 'a',
      output: 'b',
      evaluator: { spec: { kind: 'model', model: 'openai:gpt-4o-mini' }, evaluate: async () => ({ output: { b: '' } }) },
    });
    expect(agent.toDefinition().evaluator).toEqual({ kind: 'model', model: 'openai:gpt-4o-mini' });
  });
});
