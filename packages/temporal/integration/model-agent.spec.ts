import { Flock, defineAgent, type RunResult } from '@flock-ts/core';
import { modelEvaluator } from '@flock-ts/llm';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn } from '@flock-ts/llm/testing';
import { testServer, uniqueQueue } from './harness';
import { temporal } from '../src';

/** The failure types along an error's cause chain (Temporal puts the activity's failure type there). */
function failureTypes(error: unknown): string[] {
  const types: string[] = [];
  for (let current = error as { type?: unknown; name?: unknown; cause?: unknown } | undefined; current; current = current.cause as typeof current) {
    if (typeof current.type === 'string') types.push(current.type);
    else if (typeof current.name === 'string') types.push(current.name);
  }
  return types;
}

// A model-backed agent runs as a Temporal activity against the OpenAI-compatible
// stand-in over HTTP. Provider retries are off, so each request the stand-in
// logs is one Temporal attempt.

let server: OpenAICompatibleStandIn;
const savedBaseUrl = process.env['FLOCK_OPENAI_BASE_URL'];

beforeAll(async () => {
  server = await startOpenAICompatibleStandIn();
  process.env['FLOCK_OPENAI_BASE_URL'] = server.baseUrl;
});

afterAll(async () => {
  if (savedBaseUrl === undefined) delete process.env['FLOCK_OPENAI_BASE_URL'];
  else process.env['FLOCK_OPENAI_BASE_URL'] = savedBaseUrl;
  await server?.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

function modelFlock(name: string): Flock {
  const { address, namespace } = testServer();
  return new Flock({
    name,
    model: 'openai-compatible:stand-in-model',
    executor: temporal(),
    temporalStartInProcessWorker: true,
    temporalConfig: {
      serverUrl: address,
      namespace,
      taskQueue: uniqueQueue(name),
      // short backoff: only a Retry-After can make Temporal wait long
      activityDefaults: { retryInitialIntervalSeconds: 0.1, retryBackoffCoefficient: 1, retryMaxAttempts: 3 },
    },
    agents: [
      defineAgent({
        name: 'summarizer',
        description: 'Summarizes a text',
        input: 'text: string | the text to summarize',
        output: 'summary: string | one sentence',
        evaluator: modelEvaluator(),
        temporalActivityConfig: { retryMaxAttempts: 5, startToCloseTimeoutSeconds: 10 },
        next: 'titler',
      }),
      defineAgent({
        name: 'titler',
        description: 'Gives a summary a title',
        input: 'summary: string',
        output: 'title: string',
        evaluator: modelEvaluator({ model: 'openai-compatible:title-model' }),
      }),
    ],
  });
}

describe('a model-backed agent as a Temporal activity (OpenAI-compatible stand-in over HTTP)', () => {
  it('is retried by Temporal after a 429 with Retry-After and a 500, and the run succeeds with the tokens of each step', async () => {
    server.reply(
      { status: 429, message: 'Rate limit reached', headers: { 'retry-after': '1' } },
      { status: 500, message: 'The server had an error' },
      { output: { summary: 'Temporal keeps runs alive.' }, usage: { promptTokens: 40, completionTokens: 8 } },
      { output: { title: 'Durable runs' }, usage: { promptTokens: 20, completionTokens: 4 } },
    );
    const result = (await modelFlock('llm-retry').run({ startAgent: 'summarizer', input: { text: 'Temporal makes agent runs durable.' } })) as RunResult;

    expect(result.output).toEqual({ title: 'Durable runs' });
    expect(server.requests.map((request) => request.body['model'])).toEqual(['stand-in-model', 'stand-in-model', 'stand-in-model', 'title-model']);
    expect(result.steps.map((step) => [step.agent, step.attempt])).toEqual([
      ['summarizer', 3],
      ['titler', 1],
    ]);
    expect(result.steps.map((step) => step.usage)).toEqual([
      { inputTokens: 40, outputTokens: 8, totalTokens: 48, modelCalls: 1 },
      { inputTokens: 20, outputTokens: 4, totalTokens: 24, modelCalls: 1 },
    ]);
    expect(result.usage).toEqual({ inputTokens: 60, outputTokens: 12, totalTokens: 72, modelCalls: 2 });
    // the 429 asked for one second; the retry policy alone would have waited 0.1 s
    const [rateLimited, afterRateLimit] = server.requests;
    expect(afterRateLimit.receivedAt - rateLimited.receivedAt).toBeGreaterThanOrEqual(990);
  }, 60_000);

  it('fails the run at once on a 401, naming the agent and the provider, after exactly one request', async () => {
    server.reply({ status: 401, message: 'Incorrect API key provided', code: 'invalid_api_key' });
    const error = await modelFlock('llm-auth')
      .run({ startAgent: 'summarizer', input: { text: 'Temporal makes agent runs durable.' } })
      .then(
        () => undefined,
        (failure: Error & { agent?: string }) => failure,
      );

    expect(error?.name).toBe('FlockRunFailedError');
    expect(error?.agent).toBe('summarizer');
    expect(error?.message).toContain('Agent "summarizer": model provider "openai-compatible" (model "stand-in-model") rejected the credentials');
    expect(failureTypes(error)).toContain('ModelAuthenticationError');
    expect(server.requests).toHaveLength(1);
  }, 60_000);
});
