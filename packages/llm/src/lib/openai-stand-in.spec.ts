import { AgentContext, Flock, defineAgent, defineTool, type Agent, type EvaluationResult } from '@flock-ts/core';
import { llmRouter } from './llm-router';
import { modelEvaluator, type ModelEvaluatorOptions } from './model-evaluator';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn } from './openai-stand-in';
import { resolveModel } from './resolve-model';
import { textChunks } from './text-chunks';

const ENV_KEYS = ['FLOCK_OPENAI_BASE_URL', 'FLOCK_OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_API_KEY'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
let server: OpenAICompatibleStandIn;

beforeAll(async () => {
  server = await startOpenAICompatibleStandIn();
  for (const key of ENV_KEYS) delete process.env[key];
  process.env['FLOCK_OPENAI_BASE_URL'] = server.baseUrl;
  process.env['FLOCK_OPENAI_API_KEY'] = 'sk-test-from-env';
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

const wordCount = defineTool({ name: 'wordCount', description: 'Counts words', input: 'text: string', execute: ({ text }) => String(text).split(/\s+/).length });

function summarizer(model: ModelEvaluatorOptions['model'] = 'openai-compatible:stand-in-model'): Agent {
  return defineAgent({
    name: 'summarizer',
    description: 'Summarizes a text',
    input: 'text: string | the text to summarize',
    output: 'summary: string | one sentence, words: integer',
    evaluator: modelEvaluator({ model }),
    tools: [wordCount],
  });
}

function run(agent = summarizer()) {
  return new Flock({ name: 'docs', agents: [agent] }).run({ startAgent: agent.name, input: { text: 'one two three' } });
}

/** The step error of a failed run: what the `FlockRunFailedError` the run rejects with has as its cause. */
async function failure(): Promise<Error & Record<string, unknown>> {
  const error = await run().then(
    () => {
      throw new Error('expected the run to fail');
    },
    (e: Error & Record<string, unknown>) => e,
  );
  expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'summarizer', causeType: expect.stringMatching(/^Model/) });
  expect((error.cause as Error).message).toBe(error.message);
  return error.cause as Error & Record<string, unknown>;
}

describe('model evaluator against the OpenAI-compatible stand-in over HTTP', () => {
  it('asks for the signature as a strict JSON schema and returns the validated output with its usage', async () => {
    server.reply({ output: { summary: 'Three words.', words: 3 }, usage: { promptTokens: 42, completionTokens: 7 } });
    const result = await run();
    expect(result.output).toEqual({ summary: 'Three words.', words: 3 });
    expect(result.usage).toEqual({ inputTokens: 42, outputTokens: 7, totalTokens: 49, modelCalls: 1 });
    const [request] = server.requests;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.body['model']).toBe('stand-in-model');
    expect(request.body['response_format']).toMatchObject({
      type: 'json_schema',
      json_schema: { strict: true, name: 'summarizer_output', schema: { required: ['summary', 'words'], properties: { summary: { description: 'one sentence' } } } },
    });
    expect(request.body['messages']).toEqual([
      { role: 'system', content: expect.stringContaining('You are "summarizer"') },
      { role: 'user', content: '## text (string): the text to summarize\none two three' },
    ]);
  });

  it('sends the API key from the environment as a bearer token', async () => {
    server.reply({ output: { summary: 's', words: 1 } });
    await run();
    expect(server.requests[0].headers['authorization']).toBe('Bearer sk-test-from-env');
  });

  it('runs the tool loop: tool calls out, tool results back', async () => {
    server.reply(
      { toolCalls: [{ name: 'wordCount', args: { text: 'one two three' } }], usage: { promptTokens: 10, completionTokens: 5 } },
      { output: { summary: 'Counted.', words: 3 }, usage: { promptTokens: 20, completionTokens: 5 } },
    );
    const result = await run();
    expect(result.output).toEqual({ summary: 'Counted.', words: 3 });
    expect(result.usage).toEqual({ inputTokens: 30, outputTokens: 10, totalTokens: 40, modelCalls: 2 });
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0].body['tools']).toEqual([
      { type: 'function', function: { name: 'wordCount', description: 'Counts words', parameters: expect.objectContaining({ required: ['text'] }) } },
    ]);
    const messages = server.requests[1].body['messages'] as Array<Record<string, unknown>>;
    expect(messages.at(-1)).toMatchObject({ role: 'tool', content: '3' });
  });

  it('fails a 401 once, non-retryable, naming the agent and the provider', async () => {
    server.reply({ status: 401, message: 'Incorrect API key provided', code: 'invalid_api_key' });
    const error = await failure();
    expect(error).toMatchObject({ causeName: 'ModelAuthenticationError', nonRetryable: true });
    expect(error.message).toContain('Agent "summarizer": model provider "openai-compatible" (model "stand-in-model") rejected the credentials');
    expect(error.message).toContain('Incorrect API key provided');
    expect(server.requests).toHaveLength(1);
  });

  it('fails a 429 once with the Retry-After delay for Temporal', async () => {
    server.reply({ status: 429, message: 'Rate limit reached', headers: { 'retry-after': '1' } });
    expect(await failure()).toMatchObject({ causeName: 'ModelRateLimitError', nonRetryable: false, nextRetryDelayMs: 1000 });
    expect(server.requests).toHaveLength(1);
  });

  it('fails a 500 once as a retryable provider error', async () => {
    server.reply({ status: 500, message: 'The server had an error' });
    expect(await failure()).toMatchObject({ causeName: 'ModelProviderError', nonRetryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('fails a context-length 400 as non-retryable', async () => {
    server.reply({ status: 400, message: "This model's maximum context length is 4096 tokens", code: 'context_length_exceeded' });
    expect(await failure()).toMatchObject({ causeName: 'ModelContextLengthError', nonRetryable: true });
  });

  it('fails an unreachable server as a retryable provider error', async () => {
    const gone = await startOpenAICompatibleStandIn();
    await gone.close();
    process.env['FLOCK_OPENAI_BASE_URL'] = gone.baseUrl;
    try {
      const error = await failure();
      expect(error).toMatchObject({ causeName: 'ModelProviderError', nonRetryable: false });
      expect(error.message).toContain('could not be reached');
    } finally {
      process.env['FLOCK_OPENAI_BASE_URL'] = server.baseUrl;
    }
  });
});

describe('LLM router against the OpenAI-compatible stand-in over HTTP', () => {
  it('hands off to the agent the model chose', async () => {
    const triage = llmRouter({ name: 'triage', model: 'openai-compatible:router-model', agents: ['billing', 'outage'] });
    const flock = new Flock({
      name: 'support',
      agents: [
        { name: 'intake', input: 'ticket: string', output: 'topic: string', evaluate: ({ ticket }) => ({ topic: String(ticket) }), next: triage },
        { name: 'billing', description: 'Invoices and payments', input: 'topic: string', output: 'answer: string', evaluate: () => ({ answer: 'refund sent' }) },
        { name: 'outage', description: 'Service outages', input: 'topic: string', output: 'answer: string', evaluate: () => ({ answer: 'all up' }) },
      ],
    });
    server.reply({ output: { nextAgent: 'billing', confidence: 0.9, reason: 'an invoice' } });
    const result = await flock.run({ startAgent: 'intake', input: { ticket: 'I was charged twice' } });
    expect(result.steps.map((step) => step.agent)).toEqual(['intake', 'billing']);
    expect(server.requests[0].body['model']).toBe('router-model');
    expect(JSON.stringify(server.requests[0].body['messages'])).toContain('I was charged twice');
  });
});

describe('the stand-in itself', () => {
  it('answers unscripted requests and unknown routes with errors that say so', async () => {
    const response = await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(500);
    expect(await response.text()).toContain('no scripted reply');
    expect((await fetch(`${server.baseUrl}/embeddings`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

/** One evaluation of the summarizer outside a run, streaming to `onText` when given. */
function evaluate(options: { onText?: (delta: string) => void; signal?: AbortSignal } = {}, agent = summarizer()): Promise<EvaluationResult> {
  const flock = new Flock({ name: 'docs', agents: [agent] });
  const context = new AgentContext({ flock, agent, view: { runId: 'run-1', flockName: 'docs', step: 0, variables: {} }, signal: options.signal });
  return agent.evaluator.evaluate({
    agent,
    inputs: { text: 'one two three' },
    context,
    tools: agent.toolNames.map((name) => flock.tool(name)),
    ...options,
  });
}

/** The error a promise rejects with. */
function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error & Record<string, unknown>) => error,
  );
}

/** What a caller (and Temporal) sees of an error: its name, message and retry hints. */
function classified(error: Record<string, unknown>) {
  const { name, message, nonRetryable, nextRetryDelayMs, statusCode } = error;
  return { name, message, nonRetryable, nextRetryDelayMs, statusCode };
}

describe('model evaluator streaming over HTTP to the OpenAI stand-in', () => {
  const answer = { summary: 'Three words.', words: 3 };

  it('asks for a stream with usage, forwards the deltas in order and returns the output and usage of the call without streaming', async () => {
    server.reply({ output: answer, usage: { promptTokens: 42, completionTokens: 7 } }, { output: answer, usage: { promptTokens: 42, completionTokens: 7 } });
    const plain = await evaluate();
    const deltas: string[] = [];
    const streamed = await evaluate({ onText: (delta) => deltas.push(delta) });
    expect(streamed).toEqual(plain);
    expect(streamed).toEqual({ output: answer, usage: { inputTokens: 42, outputTokens: 7, totalTokens: 49, modelCalls: 1 } });
    expect(deltas).toEqual(textChunks(JSON.stringify(answer)));
    expect(deltas.length).toBeGreaterThan(1);
    const [plainRequest, streamRequest] = server.requests;
    expect(plainRequest.body['stream']).toBeUndefined();
    expect(streamRequest.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(streamRequest.body['response_format']).toEqual(plainRequest.body['response_format']);
    expect(streamRequest.body['messages']).toEqual(plainRequest.body['messages']);
    expect(streamRequest.stream).toEqual({ chunks: deltas.length + 3, done: true, clientClosed: false });
  });

  it('streams through the tool loop: streamed tool call out, tool result back, usage summed', async () => {
    server.reply(
      { toolCalls: [{ name: 'wordCount', args: { text: 'one two three' } }], usage: { promptTokens: 10, completionTokens: 5 } },
      { output: answer, usage: { promptTokens: 20, completionTokens: 5 } },
    );
    const deltas: string[] = [];
    const result = await evaluate({ onText: (delta) => deltas.push(delta) });
    expect(result).toEqual({ output: answer, usage: { inputTokens: 30, outputTokens: 10, totalTokens: 40, modelCalls: 2 } });
    expect(server.requests.map((request) => request.body['stream'])).toEqual([true, true]);
    const messages = server.requests[1].body['messages'] as Array<Record<string, unknown>>;
    expect(messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'wordCount', arguments: '{"text":"one two three"}' } }] });
    expect(messages.at(-1)).toMatchObject({ role: 'tool', content: '3' });
    expect(deltas.join('')).toBe(JSON.stringify(answer));
  });

  it('classifies HTTP errors of a streamed call as without streaming: 401, 429 with Retry-After, 500', async () => {
    const failures = [
      { status: 401, message: 'Incorrect API key provided', code: 'invalid_api_key' },
      { status: 429, message: 'Rate limit reached', headers: { 'retry-after': '1' } },
      { status: 500, message: 'The server had an error' },
    ];
    const expected = [
      { name: 'ModelAuthenticationError', nonRetryable: true, statusCode: 401 },
      { name: 'ModelRateLimitError', nonRetryable: false, nextRetryDelayMs: 1000, statusCode: 429 },
      { name: 'ModelProviderError', nonRetryable: false, statusCode: 500 },
    ];
    for (const [n, failure] of failures.entries()) {
      server.requests.length = 0;
      server.reply(failure, failure);
      const plain = await rejection(evaluate());
      const deltas: string[] = [];
      const streamed = await rejection(evaluate({ onText: (delta) => deltas.push(delta) }));
      expect(classified(streamed)).toEqual(classified(plain));
      expect(streamed).toMatchObject(expected[n]);
      expect(streamed.message).toContain(failure.message);
      expect(server.requests.map((request) => request.body['stream'])).toEqual([undefined, true]);
      expect(deltas).toEqual([]);
    }
  });

  it('fails a stream that breaks midway as a retryable ModelProviderError, after the deltas so far (a 500 without streaming)', async () => {
    const reply = { output: answer, streamError: { message: 'The server is overloaded', afterChunks: 2 } };
    server.reply(reply, reply);
    const plain = await rejection(evaluate());
    const deltas: string[] = [];
    const streamed = await rejection(evaluate({ onText: (delta) => deltas.push(delta) }));
    expect(plain).toMatchObject({ name: 'ModelProviderError', nonRetryable: false, statusCode: 500 });
    expect(streamed).toMatchObject({ name: 'ModelProviderError', nonRetryable: false });
    expect(streamed.message).toBe('Agent "summarizer": model provider "openai-compatible" (model "stand-in-model") failed while streaming its answer: The server is overloaded');
    expect(deltas).toEqual(textChunks(JSON.stringify(answer)).slice(0, 2));
    expect(server.requests[1].stream).toMatchObject({ done: false });
  });

  it('stops the stream when the signal aborts: the call rejects with the reason and the server sees the client go away', async () => {
    const slow = await startOpenAICompatibleStandIn({ chunkDelayMs: 30 });
    try {
      slow.reply({ text: 'word '.repeat(40) });
      const model = resolveModel('openai-compatible:slow-model', { baseUrl: slow.baseUrl, apiKey: 'sk-test' });
      const controller = new AbortController();
      const reason = new Error('run cancelled');
      const deltas: string[] = [];
      const started = Date.now();
      const error = await rejection(
        evaluate(
          {
            signal: controller.signal,
            onText: (delta) => {
              deltas.push(delta);
              if (deltas.length === 2) controller.abort(reason);
            },
          },
          summarizer(model),
        ),
      );
      expect(error).toBe(reason);
      // 80 content chunks 30 ms apart would take 2.4 s
      expect(Date.now() - started).toBeLessThan(1500);
      const [request] = slow.requests;
      for (let waited = 0; !request.stream?.clientClosed && waited < 1000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(request.stream).toMatchObject({ clientClosed: true, done: false });
      expect(request.stream?.chunks).toBeLessThan(10);
      expect(deltas).toHaveLength(2);
    } finally {
      await slow.close();
    }
  });
});

describe('the stand-in streaming Server-Sent Events', () => {
  async function events(body: Record<string, unknown>): Promise<{ contentType: string | null; data: string[] }> {
    const response = await fetch(`${server.baseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [], stream: true, ...body }) });
    const text = await response.text();
    const data = text
      .split('\n\n')
      .filter(Boolean)
      .map((event) => {
        expect(event.startsWith('data: ')).toBe(true);
        return event.slice('data: '.length);
      });
    return { contentType: response.headers.get('content-type'), data };
  }

  it("answers in OpenAI's chunk format: role, content pieces, finish reason, usage when asked, then [DONE]", async () => {
    server.reply({ text: 'Hello there, world.', usage: { promptTokens: 5, completionTokens: 4 } });
    const { contentType, data } = await events({ stream_options: { include_usage: true } });
    expect(contentType).toBe('text/event-stream');
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data
      .slice(0, -1)
      .map(
        (line) => JSON.parse(line) as { object: string; id: string; choices: Array<{ delta: { role?: string; content?: string }; finish_reason: string | null }>; usage?: unknown },
      );
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.id === chunks[0].id)).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const content = chunks.slice(1, -2).map((chunk) => chunk.choices[0].delta.content);
    expect(content).toEqual(['Hello', ' ', 'there', ',', ' ', 'world', '.']);
    expect(chunks.at(-2)?.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 } });
  });

  it('streams tool calls as name first, then the arguments in pieces, and sends no usage unless asked', async () => {
    server.reply({ toolCalls: [{ name: 'wordCount', args: { text: 'a b' } }] });
    const { data } = await events({});
    const chunks = data.slice(0, -1).map(
      (line) =>
        JSON.parse(line) as {
          choices: Array<{ delta: { tool_calls?: Array<{ index: number; id?: string; function: { name?: string; arguments: string } }> }; finish_reason: string | null }>;
          usage?: unknown;
        },
    );
    const calls = chunks.flatMap((chunk) => chunk.choices[0].delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^call_/), function: { name: 'wordCount', arguments: '' } });
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.map((call) => call.function.arguments).join('')).toBe('{"text":"a b"}');
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('tool_calls');
    expect(chunks.some((chunk) => chunk.usage !== undefined)).toBe(false);
  });

  it('spaces the chunks chunkDelayMs apart', async () => {
    const slow = await startOpenAICompatibleStandIn({ chunkDelayMs: 20, replies: [{ text: 'a b c' }] });
    try {
      const started = Date.now();
      const response = await fetch(`${slow.baseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify({ stream: true }) });
      await response.text();
      // role, five pieces, finish: six gaps of 20 ms
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
      expect(slow.requests[0].stream).toEqual({ chunks: 7, done: true, clientClosed: false });
    } finally {
      await slow.close();
    }
  });
});
