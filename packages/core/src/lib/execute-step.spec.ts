import { defineAgent, type AgentOptions } from './agent';
import type { Component } from './component';
import type { AgentExecutionError, ComponentError } from './errors';
import { executeAgentStep } from './execute-step';
import { Flock } from './flock';
import { createRunState } from './run-state';
import { defineTool } from './tool';

function setup(options: Partial<AgentOptions>, input: Record<string, unknown> = { text: 'hello world' }) {
  const agent = defineAgent({
    name: 'counter',
    input: 'text: string',
    output: 'words: integer',
    evaluate: ({ text }) => ({ words: String(text).split(' ').length }),
    ...options,
  } as AgentOptions);
  const flock = new Flock({ name: 'steps', agents: [agent] });
  return { flock, state: createRunState(flock, { startAgent: 'counter', input, runId: 'run-1' }) };
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

describe('executeAgentStep', () => {
  it('records inputs, validated output, timestamps and attempt', async () => {
    const { flock, state } = setup({});
    const { record } = await executeAgentStep(flock, 'counter', state, { attempt: 2 });
    expect(record).toMatchObject({ agent: 'counter', inputs: { text: 'hello world' }, output: { words: 2 }, attempt: 2 });
    expect(Date.parse(record.finishedAt)).toBeGreaterThanOrEqual(Date.parse(record.startedAt));
    expect(record).not.toHaveProperty('usage');
  });

  it('leaves the run state untouched and returns the variables after the step', async () => {
    const { flock, state } = setup({
      evaluate: (_inputs: unknown, ctx: { setVariable(k: string, v: unknown): void }) => {
        ctx.setVariable('counted', true);
        return { words: 1 };
      },
    });
    const outcome = await executeAgentStep(flock, 'counter', state);
    expect(outcome.variables).toEqual({ counted: true });
    expect(state.variables).toEqual({});
    expect(state.history).toEqual([]);
  });

  it('keeps the usage a custom evaluator reports', async () => {
    const { flock, state } = setup({
      evaluate: undefined,
      evaluator: { spec: { kind: 'model' }, evaluate: async () => ({ output: { words: 3 }, usage: { inputTokens: 5, outputTokens: 2, totalTokens: 7 } }) },
    });
    const { record } = await executeAgentStep(flock, 'counter', state);
    expect(record.usage).toEqual({ inputTokens: 5, outputTokens: 2, totalTokens: 7 });
  });

  it('hands the evaluator its tools, signal and heartbeat', async () => {
    const tool = defineTool({ name: 'noop', input: '', execute: () => null });
    const seen: unknown[] = [];
    const controller = new AbortController();
    const heartbeat = jest.fn();
    const { flock, state } = setup({
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
    await executeAgentStep(flock, 'counter', state, { signal: controller.signal, heartbeat });
    expect(seen).toEqual([[tool], controller.signal]);
    expect(heartbeat).toHaveBeenCalledWith('working');
  });

  it('wraps an evaluator failure in AgentExecutionError naming agent and cause', async () => {
    class QuotaError extends Error {
      override name = 'QuotaError';
    }
    const { flock, state } = setup({ evaluate: () => { throw new QuotaError('quota exhausted'); } });
    const error = await rejection<AgentExecutionError>(executeAgentStep(flock, 'counter', state));
    expect(error.name).toBe('AgentExecutionError');
    expect(error.message).toBe('Agent "counter" failed: QuotaError: quota exhausted');
    expect(error.causeName).toBe('QuotaError');
  });

  it('lets a ToolError through unwrapped', async () => {
    const failing = defineTool({ name: 'fails', input: '', execute: () => { throw new Error('down'); } });
    const { flock, state } = setup({
      tools: [failing],
      evaluate: async (_inputs: unknown, ctx: { callTool(name: string): Promise<unknown> }) => ({ words: await ctx.callTool('fails') }),
    });
    const error = await rejection(executeAgentStep(flock, 'counter', state));
    expect(error).toMatchObject({ name: 'ToolError', tool: 'fails', agent: 'counter' });
  });

  it('rejects an output that breaks the signature, naming the field', async () => {
    const { flock, state } = setup({ evaluate: () => ({ words: 'two' }) });
    const error = await rejection(executeAgentStep(flock, 'counter', state));
    expect(error).toMatchObject({ name: 'AgentOutputValidationError', agent: 'counter', field: 'words' });
  });

  it('rejects an evaluator result without an output', async () => {
    const { flock, state } = setup({ evaluate: undefined, evaluator: { spec: { kind: 'code' }, evaluate: async () => null as never } });
    await expect(executeAgentStep(flock, 'counter', state)).rejects.toMatchObject({ name: 'AgentOutputValidationError' });
  });

  it('rejects missing inputs before evaluating', async () => {
    const evaluate = jest.fn();
    const { flock, state } = setup({ evaluate }, {});
    await expect(executeAgentStep(flock, 'counter', state)).rejects.toMatchObject({ name: 'AgentInputValidationError', field: 'text' });
    expect(evaluate).not.toHaveBeenCalled();
  });

  it('rejects an unknown agent', async () => {
    const { flock, state } = setup({});
    await expect(executeAgentStep(flock, 'ghost', state)).rejects.toMatchObject({ name: 'UnknownAgentError' });
  });

  it('rejects with the abort reason once the signal is aborted', async () => {
    const { flock, state } = setup({});
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(executeAgentStep(flock, 'counter', state, { signal: controller.signal })).rejects.toThrow('stop');
  });

  it('rejects with the abort reason when the evaluator fails after an abort', async () => {
    const controller = new AbortController();
    const { flock, state } = setup({
      evaluate: () => {
        controller.abort(new Error('cancelled by user'));
        throw new Error('interrupted');
      },
    });
    await expect(executeAgentStep(flock, 'counter', state, { signal: controller.signal })).rejects.toThrow('cancelled by user');
  });
});

describe('executeAgentStep with components', () => {
  it('runs the hooks of each component in order around the evaluation', async () => {
    const log: string[] = [];
    const { flock, state } = setup({
      components: [recorder('a', log), recorder('b', log)],
      evaluate: () => {
        log.push('evaluate');
        return { words: 1 };
      },
    });
    await executeAgentStep(flock, 'counter', state);
    expect(log).toEqual(['a.initialize', 'b.initialize', 'a.pre', 'b.pre', 'evaluate', 'a.post', 'b.post', 'a.terminate:ok', 'b.terminate:ok']);
  });

  it('lets onPreEvaluate replace the inputs, validated again', async () => {
    const { flock, state } = setup({ components: [{ name: 'shout', onPreEvaluate: (inputs: Record<string, unknown>) => ({ text: `${String(inputs.text)} again` }) }] });
    const { record } = await executeAgentStep(flock, 'counter', state);
    expect(record.inputs).toEqual({ text: 'hello world again' });
    expect(record.output).toEqual({ words: 3 });

    const bad = setup({ components: [{ name: 'breaks', onPreEvaluate: () => ({ text: 5 }) }] });
    await expect(executeAgentStep(bad.flock, 'counter', bad.state)).rejects.toMatchObject({ name: 'AgentInputValidationError', field: 'text' });
  });

  it('lets onPostEvaluate replace the output, validated again', async () => {
    const { flock, state } = setup({ components: [{ name: 'double', onPostEvaluate: (output: Record<string, unknown>) => ({ words: Number(output.words) * 2 }) }] });
    expect((await executeAgentStep(flock, 'counter', state)).record.output).toEqual({ words: 4 });

    const bad = setup({ components: [{ name: 'breaks', onPostEvaluate: () => ({ words: 1.5 }) }] });
    await expect(executeAgentStep(bad.flock, 'counter', bad.state)).rejects.toMatchObject({ name: 'AgentOutputValidationError', field: 'words' });
  });

  it('runs onError then onTerminate when the evaluation fails', async () => {
    const log: string[] = [];
    const { flock, state } = setup({ components: [recorder('a', log)], evaluate: () => { throw new Error('boom'); } });
    await expect(executeAgentStep(flock, 'counter', state)).rejects.toMatchObject({ name: 'AgentExecutionError' });
    expect(log).toEqual(['a.initialize', 'a.pre', 'a.error', 'a.terminate:failed']);
  });

  it('wraps a failing hook in ComponentError naming component, agent and hook', async () => {
    const { flock, state } = setup({ components: [{ name: 'guard', onInitialize: () => { throw new Error('not ready'); } }] });
    const error = await rejection<ComponentError>(executeAgentStep(flock, 'counter', state));
    expect(error.name).toBe('ComponentError');
    expect(error.message).toBe('Component "guard" of agent "counter" failed in onInitialize: Error: not ready');
  });

  it('keeps the original failure when onError or onTerminate also throw', async () => {
    const { flock, state } = setup({
      evaluate: () => { throw new Error('original'); },
      components: [{ name: 'noisy', onError: () => { throw new Error('in onError'); }, onTerminate: () => { throw new Error('in onTerminate'); } }],
    });
    const error = await rejection<AgentExecutionError>(executeAgentStep(flock, 'counter', state));
    expect(error.message).toContain('original');
  });

  it('fails a successful step whose onTerminate throws', async () => {
    const { flock, state } = setup({ components: [{ name: 'closer', onTerminate: () => { throw new Error('flush failed'); } }] });
    await expect(executeAgentStep(flock, 'counter', state)).rejects.toMatchObject({ name: 'ComponentError', hook: 'onTerminate', component: 'closer' });
  });

  it('runs onTerminate even when the inputs are invalid', async () => {
    const log: string[] = [];
    const { flock, state } = setup({ components: [recorder('a', log)] }, {});
    await expect(executeAgentStep(flock, 'counter', state)).rejects.toMatchObject({ name: 'AgentInputValidationError' });
    expect(log).toEqual(['a.initialize', 'a.error', 'a.terminate:failed']);
  });
});
