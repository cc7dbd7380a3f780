import { Flock, defineAgent, defineTool, type Agent } from '@flock-ts/core';
import { llmRouter } from './llm-router';
import { modelEvaluator } from './model-evaluator';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn } from './openai-stand-in';

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

function summarizer(): Agent {
  return defineAgent({
    name: 'summarizer',
    description: 'Summarizes a text',
    input: 'text: string | the text to summarize',
    output: 'summary: string | one sentence, words: integer',
    evaluator: modelEvaluator({ model: 'openai-compatible:stand-in-model' }),
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
    expect(result.usage).toEqual({ inputTokens: 42, outputTokens: 7, totalTokens: 49 });
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
    expect(result.usage).toEqual({ inputTokens: 30, outputTokens: 10, totalTokens: 40 });
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
