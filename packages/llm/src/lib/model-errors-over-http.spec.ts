import { inspect } from 'node:util';
import { Flock, defineAgent, defineTool, type Agent, type FlockRunFailedError } from '@flock-ts/core';
import { clearRegisteredSecretValues, looksLikeSecret } from '@flock-ts/secrets';
import { FAKE } from '@flock-ts/secrets/testing';
import { llmRouter } from './llm-router';
import { modelEvaluator } from './model-evaluator';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn, type StandInRequest } from './openai-stand-in';

// a custom key of no known shape: only the registration of the process's keys can cut it out
const KEY = 'local-test-key-123';
const ENV_KEYS = ['FLOCK_OPENAI_BASE_URL', 'FLOCK_OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_COMPATIBLE_API_KEY', 'ANTHROPIC_API_KEY'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
let server: OpenAICompatibleStandIn;

beforeAll(async () => {
  server = await startOpenAICompatibleStandIn();
  for (const key of ENV_KEYS) delete process.env[key];
  process.env['FLOCK_OPENAI_BASE_URL'] = server.baseUrl;
  process.env['FLOCK_OPENAI_API_KEY'] = KEY;
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  clearRegisteredSecretValues();
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

/** The key the request carried, as a careless server echoes it back. */
function sentKey(request: StandInRequest): string {
  return String(request.headers['authorization'] ?? '').replace(/^Bearer /, '');
}

/** A 401 whose message echoes the key the request carried, and a key of a known shape besides. */
function echoingRejection(request: StandInRequest) {
  return { status: 401, message: `Incorrect API key provided: ${sentKey(request)} (the project key ${FAKE.openai} was not tried)`, code: 'invalid_api_key' };
}

const writer = defineAgent({
  name: 'writer',
  description: 'Writes a summary',
  input: 'text: string',
  output: 'summary: string',
  evaluator: modelEvaluator({ model: 'openai-compatible:stand-in-model' }),
});

async function failedRun(agents: Agent[], startAgent = 'writer'): Promise<FlockRunFailedError> {
  const flock = new Flock({ name: 'docs', agents });
  return flock.run({ startAgent, input: { text: 'one two three' } }).then(
    () => {
      throw new Error('expected the run to fail');
    },
    (error: FlockRunFailedError) => error,
  );
}

function mentions(text: string, name: string): number {
  return text.split(`"${name}"`).length - 1;
}

/** Every message and stack of the error and its causes, and the error as Node prints it. */
function everythingSaid(error: unknown): string {
  const parts = [inspect(error, { depth: 10 })];
  for (let link = error as { message?: unknown; stack?: unknown; cause?: unknown } | undefined; link; link = link.cause as typeof link) {
    parts.push(String(link.message), String(link.stack));
  }
  return parts.join('\n');
}

describe('model errors over HTTP to the OpenAI-compatible stand-in', () => {
  it('fail the run naming the agent once, with the echoed key cut out, over HTTP to the OpenAI-compatible stand-in', async () => {
    server.reply(echoingRejection);
    const error = await failedRun([writer]);
    // the server did get the key, and echoed it
    expect(sentKey(server.requests[0])).toBe(KEY);
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'writer', causeType: 'ModelAuthenticationError' });
    expect(error.cause).toMatchObject({ name: 'AgentExecutionError', causeName: 'ModelAuthenticationError', nonRetryable: true });
    expect(error.message).toBe(
      'Agent "writer": model provider "openai-compatible" (model "stand-in-model") rejected the credentials (HTTP 401): ' +
        'Incorrect API key provided: [redacted] (the project key [redacted] was not tried); check the API key in the environment',
    );
    expect(mentions(error.message, 'writer')).toBe(1);
    expect(looksLikeSecret(error.message)).toBe(false);
    const said = everythingSaid(error);
    expect(said).not.toContain(KEY);
    expect(said).not.toContain(FAKE.openai);
  });

  it('keep the retry hints of a rate limit whose message echoes the key, over HTTP to the OpenAI-compatible stand-in', async () => {
    server.reply((request) => ({ status: 429, message: `Rate limit reached for key ${sentKey(request)}`, headers: { 'retry-after': '2' } }));
    const error = await failedRun([writer]);
    expect(error.cause).toMatchObject({ causeName: 'ModelRateLimitError', nonRetryable: false, nextRetryDelayMs: 2000 });
    expect(error.message).toBe(
      'Agent "writer": model provider "openai-compatible" (model "stand-in-model") is rate limiting (HTTP 429): Rate limit reached for key [redacted]; retry after 2000 ms',
    );
    expect(everythingSaid(error)).not.toContain(KEY);
  });

  it('cut the key out of an error body sent in the middle of a stream, over HTTP to the OpenAI-compatible stand-in', async () => {
    server.reply((request) => ({ output: { summary: 'partial' }, streamError: { message: `The server is overloaded (key ${sentKey(request)})` } }));
    const error = await failedRun([writer]);
    expect(error.cause).toMatchObject({ causeName: 'ModelProviderError', nonRetryable: false });
    expect(mentions(error.message, 'writer')).toBe(1);
    expect(error.message).toContain('The server is overloaded (key [redacted])');
    expect(everythingSaid(error)).not.toContain(KEY);
  });

  it('name the agent once when a tool fails, over HTTP to the OpenAI-compatible stand-in', async () => {
    const lookup = defineTool({
      name: 'lookup',
      description: 'Looks a word up',
      input: 'word: string',
      execute: () => {
        throw new Error(`dictionary refused key ${KEY}`);
      },
    });
    const researcher = defineAgent({
      name: 'writer',
      description: 'Writes a summary with a dictionary',
      input: 'text: string',
      output: 'summary: string',
      evaluator: modelEvaluator({ model: 'openai-compatible:stand-in-model' }),
      tools: [lookup],
    });
    server.reply({ toolCalls: [{ name: 'lookup', args: { word: 'one' } }] });
    const error = await failedRun([researcher]);
    // the failure type is the name of what the tool threw, as retry policies match it
    expect(error).toMatchObject({ name: 'FlockRunFailedError', agent: 'writer', causeType: 'Error' });
    expect(error.cause).toMatchObject({ name: 'ToolError', tool: 'lookup', agent: 'writer' });
    expect(error.message).toBe('Tool "lookup" called by agent "writer" failed: dictionary refused key [redacted]');
    expect(mentions(error.message, 'writer')).toBe(1);
  });

  it('name the router and the agent once each when a model router is refused, over HTTP to the OpenAI-compatible stand-in', async () => {
    const intake = defineAgent({
      name: 'writer',
      description: 'Reads a text',
      input: 'text: string',
      output: 'topic: string',
      evaluate: () => ({ topic: 'billing' }),
      next: llmRouter({ name: 'triage', model: 'openai-compatible:stand-in-model' }),
    });
    const billing = defineAgent({
      name: 'billing',
      description: 'Answers billing questions',
      input: 'topic: string',
      output: 'answer: string',
      evaluate: () => ({ answer: 'paid' }),
    });
    server.reply(echoingRejection);
    const error = await failedRun([intake, billing]);
    expect(error).toMatchObject({ name: 'FlockRunFailedError', agent: 'writer' });
    expect(error.cause).toMatchObject({ name: 'RoutingError', router: 'triage', causeName: 'ModelAuthenticationError', nonRetryable: true });
    expect([mentions(error.message, 'writer'), mentions(error.message, 'triage')]).toEqual([1, 1]);
    expect(error.message).toMatch(/^Router "triage" after agent "writer": model provider "openai-compatible" \(model "stand-in-model"\) rejected the credentials \(HTTP 401\)/);
    expect(everythingSaid(error)).not.toContain(KEY);
  });
});
