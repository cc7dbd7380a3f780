import { AgentContext, Flock, defineAgent, defineTool, type Agent, type EvaluationResult, type FlockRunFailedError, type Tool } from '@flock-ts/core';
import { APICallError } from 'ai';
import { createFakeModel, type FakeResponse } from './fake-model';
import { DEFAULT_MAX_TOOL_CALLS, modelEvaluator, type ModelEvaluatorOptions } from './model-evaluator';
import { textChunks } from './text-chunks';

const wordCount = defineTool({
  name: 'wordCount',
  description: 'Counts the words of a text',
  input: 'text: string | the text to count',
  execute: ({ text }) => String(text).split(/\s+/).filter(Boolean).length,
});
const broken = defineTool({
  name: 'broken',
  input: '',
  execute: () => {
    throw new Error('disk on fire');
  },
});

function summarizer(options: ModelEvaluatorOptions, tools: Tool[] = [wordCount]): Agent {
  return defineAgent({
    name: 'summarizer',
    description: 'Summarizes a text',
    input: 'text: string | the text to summarize',
    output: 'summary: string | one sentence, words: integer, tags?: string[]',
    evaluator: modelEvaluator(options),
    tools,
  });
}

function run(agent: Agent, flockOptions: { model?: string } = {}) {
  const flock = new Flock({ name: 'docs', agents: [agent], ...flockOptions });
  return flock.run({ startAgent: agent.name, input: { text: 'Temporal makes agent runs durable.' } });
}

/** The error a run rejects with (a `FlockRunFailedError` when a step failed). */
function failed(promise: Promise<unknown>): Promise<FlockRunFailedError> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (error: unknown) => error as FlockRunFailedError,
  );
}

const answer = (output: Record<string, unknown>, usage = { inputTokens: 30, outputTokens: 10 }): FakeResponse => ({ output, usage });

describe('modelEvaluator with the AI SDK test model', () => {
  it('records a model spec in the definition, without the model object', () => {
    const model = createFakeModel({ responses: [] });
    expect(summarizer({ model, temperature: 0.2, maxToolCalls: 3, instructions: 'Be brief.' }).toDefinition().evaluator).toEqual({
      kind: 'model',
      model: 'fake:scripted',
      temperature: 0.2,
      maxToolCalls: 3,
      instructions: 'Be brief.',
    });
    expect(summarizer({ model: 'openai:gpt-4o-mini' }).toDefinition().evaluator).toEqual({ kind: 'model', model: 'openai:gpt-4o-mini' });
  });

  it('rejects options outside the evaluator spec, naming the field', () => {
    expect(() => modelEvaluator({ temperature: 3 })).toThrow(/model evaluator[\s\S]*temperature/);
    expect(() => modelEvaluator({ maxToolCalls: 1.5 })).toThrow(/maxToolCalls/);
  });

  it('returns the structured output, with the signature as the schema and the inputs in the prompt', async () => {
    const model = createFakeModel({ responses: [answer({ summary: 'Runs survive crashes.', words: 5, tags: null })] });
    const result = await run(summarizer({ model, instructions: 'Be brief.', temperature: 0 }, []));
    expect(result.output).toEqual({ summary: 'Runs survive crashes.', words: 5 });
    const [call] = model.calls;
    expect(call.prompt).toBe('## text (string): the text to summarize\nTemporal makes agent runs durable.');
    expect(call.system).toContain('Be brief.');
    expect(call.system).toContain('- summary (string): one sentence');
    expect(call.responseSchema).toMatchObject({ properties: { summary: { description: 'one sentence' } }, required: ['summary', 'words', 'tags'] });
    expect(call.temperature).toBe(0);
    expect(call.tools).toEqual([]);
  });

  it('returns the tokens of the step with the result and sums them per run', async () => {
    const model = createFakeModel({ responses: [answer({ summary: 's', words: 1 }, { inputTokens: 30, outputTokens: 10 })] });
    const result = await run(summarizer({ model }, []));
    expect(result.steps[0].usage).toEqual({ inputTokens: 30, outputTokens: 10, totalTokens: 40, modelCalls: 1 });
    expect(result.usage).toEqual({ inputTokens: 30, outputTokens: 10, totalTokens: 40, modelCalls: 1 });
  });

  it('runs tool calls through core and gives the model their results, counting every call in the usage', async () => {
    const model = createFakeModel({
      responses: [
        { toolCalls: [{ name: 'wordCount', args: { text: 'a b c' } }], usage: { inputTokens: 20, outputTokens: 5 } },
        answer({ summary: 'Three words.', words: 3 }, { inputTokens: 40, outputTokens: 8 }),
      ],
    });
    const result = await run(summarizer({ model }));
    expect(result.output).toEqual({ summary: 'Three words.', words: 3 });
    expect(model.calls[0].tools).toEqual(['wordCount']);
    expect(model.calls[1].toolResults).toEqual([{ toolName: 'wordCount', output: 3 }]);
    expect(result.usage).toEqual({ inputTokens: 60, outputTokens: 13, totalTokens: 73, modelCalls: 2 });
  });

  it('stops offering tools once maxToolCalls is spent, so the model must answer', async () => {
    const call = { toolCalls: [{ name: 'wordCount', args: { text: 'x' } }] };
    const model = createFakeModel({ responses: [call, call, answer({ summary: 'done', words: 1 })] });
    await run(summarizer({ model, maxToolCalls: 2 }));
    expect(model.calls.map((c) => c.toolChoice)).toEqual(['auto', 'auto', 'none']);
  });

  it('refuses calls past the budget when the model asks for several at once', async () => {
    const model = createFakeModel({
      responses: [
        {
          toolCalls: [
            { name: 'wordCount', args: { text: 'a' } },
            { name: 'wordCount', args: { text: 'a b' } },
          ],
        },
        answer({ summary: 'ok', words: 1 }),
      ],
    });
    await run(summarizer({ model, maxToolCalls: 1 }));
    expect(model.calls[1].toolResults).toEqual([
      { toolName: 'wordCount', output: 1 },
      { toolName: 'wordCount', output: expect.stringContaining('budget of 1 tool calls is spent') },
    ]);
    expect(model.calls[1].toolChoice).toBe('none');
  });

  it('offers no tools with maxToolCalls 0 and allows ten by default', async () => {
    const model = createFakeModel({ responses: [answer({ summary: 's', words: 1 })] });
    await run(summarizer({ model, maxToolCalls: 0 }));
    expect(model.calls[0].tools).toEqual([]);
    expect(DEFAULT_MAX_TOOL_CALLS).toBe(10);
  });

  it('fails the step with the ToolError of a failing tool, naming tool and agent', async () => {
    const model = createFakeModel({ responses: [{ toolCalls: [{ name: 'broken' }] }, answer({ summary: 'never', words: 0 })] });
    const error = await failed(run(summarizer({ model }, [broken])));
    expect(error).toMatchObject({
      name: 'FlockRunFailedError',
      code: 'AGENT_FAILED',
      agent: 'summarizer',
      message: 'Tool "broken" called by agent "summarizer" failed: disk on fire',
    });
    expect(error.cause).toMatchObject({ name: 'ToolError', tool: 'broken', reason: 'failed' });
    expect(model.calls).toHaveLength(1);
  });

  it('reports arguments that do not match the tool signature as a ToolError', async () => {
    const model = createFakeModel({ responses: [{ toolCalls: [{ name: 'wordCount', args: { text: 7 } }] }] });
    const error = await failed(run(summarizer({ model })));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', agent: 'summarizer', causeType: 'ToolError' });
    expect(error.cause).toMatchObject({ name: 'ToolError', reason: 'invalid-args' });
  });

  it('tells the model once what is wrong with an answer that does not match the signature, and uses the corrected answer', async () => {
    const model = createFakeModel({ responses: [answer({ summary: 'no count' }), answer({ summary: 'Counted.', words: 2 })] });
    const result = await run(summarizer({ model }, []));
    expect(result.output).toEqual({ summary: 'Counted.', words: 2 });
    expect(model.calls).toHaveLength(2);
    expect(model.calls[1].prompt).toContain('Your answer could not be used: words: Invalid input');
    expect(result.usage?.modelCalls).toBe(2);
  });

  it('reads JSON in Markdown code fences and with prose around it', async () => {
    for (const text of ['```json\n{"summary": "Fenced.", "words": 1}\n```', 'Here it is: {"summary": "Wrapped.", "words": 1,} Hope it helps!']) {
      const model = createFakeModel({ responses: [{ text }] });
      const result = await run(summarizer({ model }, []));
      expect(result.output).toMatchObject({ words: 1 });
      expect(model.calls).toHaveLength(1);
    }
  });

  it('fails with a non-retryable ModelOutputError showing a redacted excerpt after a second unusable answer, never looping', async () => {
    const secret = 'sk-proj-' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6';
    const model = createFakeModel({ responses: [{ text: `Sure! Here is your summary (key ${secret}).` }, answer({ summary: 'still no count' })] });
    const error = await failed(run(summarizer({ model }, [])));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'summarizer', causeType: 'ModelOutputError' });
    expect(error.cause).toMatchObject({ name: 'AgentExecutionError', causeName: 'ModelOutputError', nonRetryable: true });
    expect(error.message).toContain('words: Invalid input');
    expect(error.message).toContain('the model answered: {"summary":"still no count"}');
    expect(model.calls).toHaveLength(2);
    const first = await failed(run(summarizer({ model: createFakeModel({ responses: [answer({ summary: 'no count' }), { text: `I cannot, ${secret}` }] }) }, [])));
    expect(first.message).toContain('the answer is not a JSON object (also after being told what was wrong); the model answered: I cannot, [redacted]');
    expect(first.message).not.toContain(secret);
  });

  it('maps provider errors to named errors that keep their retry hints through core', async () => {
    const rejected = new APICallError({ message: 'Incorrect API key', url: 'u', requestBodyValues: {}, statusCode: 401 });
    const limited = new APICallError({ message: 'Slow down', url: 'u', requestBodyValues: {}, statusCode: 429, responseHeaders: { 'retry-after': '7' } });
    const auth = await failed(run(summarizer({ model: createFakeModel({ responses: [{ error: rejected }] }) }, [])));
    expect(auth).toMatchObject({ name: 'FlockRunFailedError', agent: 'summarizer', causeType: 'ModelAuthenticationError' });
    expect(auth.cause).toMatchObject({ name: 'AgentExecutionError', causeName: 'ModelAuthenticationError', nonRetryable: true });
    expect(auth.message).toContain('Agent "summarizer": model provider "fake" (model "scripted") rejected the credentials');
    const rate = await failed(run(summarizer({ model: createFakeModel({ responses: [{ error: limited }] }) }, [])));
    expect(rate).toMatchObject({ causeType: 'ModelRateLimitError' });
    expect(rate.cause).toMatchObject({ causeName: 'ModelRateLimitError', nextRetryDelayMs: 7000, nonRetryable: false });
  });

  it("uses the flock's model when the agent names none, and names the agent when there is none", async () => {
    const previous = process.env['FLOCK_MODEL'];
    delete process.env['FLOCK_MODEL'];
    try {
      const error = await failed(run(summarizer({}, [])));
      expect(error).toMatchObject({ name: 'FlockRunFailedError', agent: 'summarizer', causeType: 'ModelConfigurationError' });
      expect(error.cause).toMatchObject({ causeName: 'ModelConfigurationError', nonRetryable: true });
      await expect(run(summarizer({}, []), { model: 'openai-compatible:local' })).rejects.toThrow(
        /Agent "summarizer": model "openai-compatible:local" needs the server's base URL/,
      );
    } finally {
      if (previous !== undefined) process.env['FLOCK_MODEL'] = previous;
    }
  });
});

/** One evaluation of the agent outside a run, streaming to `onText` when given. */
function evaluate(agent: Agent, options: { onText?: (delta: string) => void; signal?: AbortSignal } = {}): Promise<EvaluationResult> {
  const flock = new Flock({ name: 'docs', agents: [agent] });
  const context = new AgentContext({ flock, agent, view: { runId: 'run-1', flockName: 'docs', step: 0, variables: {} }, signal: options.signal });
  return agent.evaluator.evaluate({
    agent,
    inputs: { text: 'Temporal makes agent runs durable.' },
    context,
    tools: agent.toolNames.map((name) => flock.tool(name)),
    ...options,
  });
}

/** What a caller (and Temporal) sees of an error: its name, message and retry hints. */
function classified(error: unknown) {
  const { name, message, nonRetryable, nextRetryDelayMs, statusCode } = error as Record<string, unknown>;
  return { name, message, nonRetryable, nextRetryDelayMs, statusCode };
}

/** The error a promise rejects with. */
function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('modelEvaluator streaming text deltas with the AI SDK test model', () => {
  it('forwards the deltas in order, concatenating to the model text, with the output and usage of the call without streaming', async () => {
    const script = answer({ summary: 'Runs survive crashes.', words: 5, tags: null }, { inputTokens: 30, outputTokens: 10 });
    const plainModel = createFakeModel({ responses: [script] });
    const streamingModel = createFakeModel({ responses: [script] });
    const deltas: string[] = [];
    const plain = await evaluate(summarizer({ model: plainModel }, []));
    const streamed = await evaluate(summarizer({ model: streamingModel }, []), { onText: (delta) => deltas.push(delta) });
    expect(streamed).toEqual(plain);
    expect(streamed).toEqual({ output: { summary: 'Runs survive crashes.', words: 5 }, usage: { inputTokens: 30, outputTokens: 10, totalTokens: 40, modelCalls: 1 } });
    // each delta as the model sent it, not held back until the JSON parses
    expect(deltas).toEqual(textChunks(JSON.stringify({ summary: 'Runs survive crashes.', words: 5, tags: null })));
    expect(deltas.length).toBeGreaterThan(1);
    expect(streamingModel.calls.map((call) => call.streamed)).toEqual([true]);
    expect(plainModel.calls.map((call) => call.streamed)).toEqual([false]);
    expect(streamingModel.calls[0].responseSchema).toEqual(plainModel.calls[0].responseSchema);
  });

  it('streams through the tool loop: tool results back to the model, usage summed over the calls as without streaming', async () => {
    const script = (): FakeResponse[] => [
      { toolCalls: [{ name: 'wordCount', args: { text: 'a b c' } }], usage: { inputTokens: 20, outputTokens: 5 } },
      answer({ summary: 'Three words.', words: 3 }, { inputTokens: 40, outputTokens: 8 }),
    ];
    const plain = await evaluate(summarizer({ model: createFakeModel({ responses: script() }) }));
    const model = createFakeModel({ responses: script() });
    const deltas: string[] = [];
    const streamed = await evaluate(summarizer({ model }), { onText: (delta) => deltas.push(delta) });
    expect(streamed).toEqual(plain);
    expect(streamed.usage).toEqual({ inputTokens: 60, outputTokens: 13, totalTokens: 73, modelCalls: 2 });
    expect(model.calls.map((call) => [call.streamed, call.toolChoice])).toEqual([
      [true, 'auto'],
      [true, 'auto'],
    ]);
    expect(model.calls[1].toolResults).toEqual([{ toolName: 'wordCount', output: 3 }]);
    expect(deltas.join('')).toBe('{"summary":"Three words.","words":3}');
  });

  it('rejects an output that does not match the signature, or is not JSON, with the ModelOutputError of the call without streaming', async () => {
    for (const script of [answer({ summary: 'no count' }), { text: 'Sure! Here is your summary.' }] as FakeResponse[]) {
      const plain = await rejection(evaluate(summarizer({ model: createFakeModel({ responses: [script, script] }) }, [])));
      const deltas: string[] = [];
      const streamed = await rejection(evaluate(summarizer({ model: createFakeModel({ responses: [script, script] }) }, []), { onText: (delta) => deltas.push(delta) }));
      expect(classified(streamed)).toEqual(classified(plain));
      expect(streamed).toMatchObject({ name: 'ModelOutputError', nonRetryable: true });
      expect(deltas.length).toBeGreaterThan(0);
    }
  });

  it('classifies a provider error of the stream as the call without streaming does (401 non-retryable, 429 with Retry-After)', async () => {
    const rejected = new APICallError({ message: 'Incorrect API key', url: 'u', requestBodyValues: {}, statusCode: 401 });
    const limited = new APICallError({ message: 'Slow down', url: 'u', requestBodyValues: {}, statusCode: 429, responseHeaders: { 'retry-after': '7' } });
    const expected = [
      { name: 'ModelAuthenticationError', nonRetryable: true },
      { name: 'ModelRateLimitError', nonRetryable: false, nextRetryDelayMs: 7000 },
    ];
    for (const [n, error] of [rejected, limited].entries()) {
      const plain = await rejection(evaluate(summarizer({ model: createFakeModel({ responses: [{ error }] }) }, [])));
      const model = createFakeModel({ responses: [{ error }] });
      const streamed = await rejection(evaluate(summarizer({ model }, []), { onText: () => undefined }));
      expect(classified(streamed)).toEqual(classified(plain));
      expect(streamed).toMatchObject(expected[n]);
      expect(model.calls.map((call) => call.streamed)).toEqual([true]);
    }
  });

  it('fails with the ToolError of a failing tool, as without streaming', async () => {
    const model = createFakeModel({ responses: [{ toolCalls: [{ name: 'broken' }] }, answer({ summary: 'never', words: 0 })] });
    const error = await rejection(evaluate(summarizer({ model }, [broken]), { onText: () => undefined }));
    expect(error).toMatchObject({ name: 'ToolError', tool: 'broken', reason: 'failed', message: 'Tool "broken" called by agent "summarizer" failed: disk on fire' });
    expect(model.calls).toHaveLength(1);
  });

  it('ignores a follower that throws: the step still succeeds', async () => {
    const model = createFakeModel({ responses: [answer({ summary: 's', words: 1 })] });
    let calls = 0;
    const result = await evaluate(summarizer({ model }, []), {
      onText: () => {
        calls += 1;
        throw new Error('follower gone');
      },
    });
    expect(result.output).toEqual({ summary: 's', words: 1 });
    expect(calls).toBeGreaterThan(1);
  });

  it('stops the stream when the signal aborts: rejects with the reason, no delta after it', async () => {
    const text = 'word '.repeat(40);
    const model = createFakeModel({ responses: [{ text }], chunkDelayMs: 10 });
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const deltas: string[] = [];
    const started = Date.now();
    const error = await rejection(
      evaluate(summarizer({ model }, []), {
        signal: controller.signal,
        onText: (delta) => {
          deltas.push(delta);
          if (deltas.length === 3) controller.abort(reason);
        },
      }),
    );
    expect(error).toBe(reason);
    const seen = deltas.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(deltas).toHaveLength(seen);
    expect(seen).toBeLessThan(10);
    // 80 parts 10 ms apart: the call did not wait for the rest
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('rejects with the reason when the signal aborts during the second model call of a tool loop, not with the first step as a result', async () => {
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    const cancelled = (): FakeResponse => {
      controller.abort(reason);
      return answer({ summary: 'late', words: 1 });
    };
    const model = createFakeModel({ responses: [{ toolCalls: [{ name: 'wordCount', args: { text: 'a' } }] }, cancelled] });
    const error = await rejection(evaluate(summarizer({ model }), { signal: controller.signal, onText: () => undefined }));
    expect(error).toBe(reason);
    expect(model.calls).toHaveLength(2);
  });

  it("gives a started run's followers the deltas as text-delta events of the step, before it completes", async () => {
    const model = createFakeModel({ responses: [answer({ summary: 'Runs survive crashes.', words: 5 })], chunkDelayMs: 2 });
    const agent = summarizer({ model }, []);
    const flock = new Flock({ name: 'docs', agents: [agent] });
    const run = await flock.start({ startAgent: agent.name, input: { text: 'Temporal makes agent runs durable.' } });
    const events: Array<{ type: string; delta?: string; agent?: string }> = [];
    for await (const event of run.events()) events.push(event as { type: string });
    const deltas = events.filter((event) => event.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((event) => event.agent === 'summarizer')).toBe(true);
    expect(deltas.map((event) => event.delta).join('')).toBe('{"summary":"Runs survive crashes.","words":5}');
    const types = events.map((event) => event.type);
    expect(types.indexOf('step-completed')).toBeGreaterThan(types.lastIndexOf('text-delta'));
    expect((await run.result()).output).toEqual({ summary: 'Runs survive crashes.', words: 5 });
  });
});
