/**
 * A model call refused with a key the provider echoes back, on a real
 * Temporal server: the run's error, the workflow's failure and the stored
 * history name the agent once and hold no key, neither a key of a known
 * shape nor the process's own custom key (which no pattern matches).
 */
import { Flock, defineAgent } from '@flock-ts/core';
import { modelEvaluator } from '@flock-ts/llm';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn, type StandInRequest } from '@flock-ts/llm/testing';
import { looksLikeSecret } from '@flock-ts/secrets';
import { FAKE } from '@flock-ts/secrets/testing';
import type { Client } from '@temporalio/client';
import { rejection, testClient, testServer, uniqueQueue } from './harness';
import { bytesAsText, rawRun } from './support/raw-history';
import { temporal } from '../src';

jest.setTimeout(60_000);

const KEY = 'local-test-key-123';
const ENV_KEYS = ['FLOCK_OPENAI_BASE_URL', 'FLOCK_OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_COMPATIBLE_API_KEY'] as const;
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));
let server: OpenAICompatibleStandIn;
let client: Client;
let failure: Error & Record<string, unknown>;
let workflowId: string;

function sentKey(request: StandInRequest): string {
  return String(request.headers['authorization'] ?? '').replace(/^Bearer /, '');
}

function writerFlock(): Flock {
  const { address, namespace } = testServer();
  const name = uniqueQueue('model-errors');
  return new Flock({
    name,
    model: 'openai-compatible:stand-in-model',
    executor: temporal(),
    temporalStartInProcessWorker: true,
    temporalConfig: { serverUrl: address, namespace, taskQueue: name, activityDefaults: { retryInitialIntervalSeconds: 0.1, retryMaxAttempts: 3 } },
    agents: [defineAgent({ name: 'writer', description: 'Writes a summary', input: 'text: string', output: 'summary: string', evaluator: modelEvaluator() })],
  });
}

function mentions(text: string, name: string): number {
  return text.split(`"${name}"`).length - 1;
}

beforeAll(async () => {
  server = await startOpenAICompatibleStandIn();
  for (const key of ENV_KEYS) delete process.env[key];
  process.env['FLOCK_OPENAI_BASE_URL'] = server.baseUrl;
  process.env['FLOCK_OPENAI_API_KEY'] = KEY;
  // a careless server: its 401 echoes the key the request carried, and a key of a known shape
  server.reply((request) => ({ status: 401, message: `Incorrect API key provided: ${sentKey(request)} (project key ${FAKE.openai})`, code: 'invalid_api_key' }));
  client = await testClient();
  failure = await rejection(writerFlock().run({ startAgent: 'writer', input: { text: 'one two three' } }));
  workflowId = failure['workflowId'] as string;
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await client?.connection.close();
  await server?.close();
});

describe('a refused model call on Temporal (OpenAI-compatible stand-in over HTTP)', () => {
  it('reached the server with the key once, and the server echoed it', () => {
    expect(server.requests).toHaveLength(1);
    expect(sentKey(server.requests[0])).toBe(KEY);
  });

  it('fails flock.run() naming the agent once, the echoed keys cut out, over HTTP to the OpenAI-compatible stand-in', () => {
    expect(failure).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'writer', causeType: 'ModelAuthenticationError' });
    // the Temporal executor adds where to see the run
    expect(failure.message).toMatch(
      /^Agent "writer": model provider "openai-compatible" \(model "stand-in-model"\) rejected the credentials \(HTTP 401\): Incorrect API key provided: \[redacted\] \(project key \[redacted\]\); check the API key in the environment \(workflow /,
    );
    expect(mentions(failure.message, 'writer')).toBe(1);
    expect(looksLikeSecret(failure.message)).toBe(false);
    expect(String(failure.stack)).not.toContain(KEY);
  });

  it('fails the workflow with a message naming the agent once and holding no key, over HTTP to the OpenAI-compatible stand-in', async () => {
    const error = await rejection(client.workflow.getHandle(workflowId).result());
    const message = String((error['cause'] as Error | undefined)?.message);
    expect(message).toContain('rejected the credentials (HTTP 401): Incorrect API key provided: [redacted]');
    expect(mentions(message, 'writer')).toBe(1);
    expect(message).not.toContain(KEY);
    expect(message).not.toContain(FAKE.openai);
  });

  it('keeps the keys out of the history, as fetched and as stored, over HTTP to the OpenAI-compatible stand-in', async () => {
    const history = JSON.stringify(await client.workflow.getHandle(workflowId).fetchHistory());
    const stored = (await rawRun(testServer().address, testServer().namespace, workflowId)).text;
    for (const text of [history, stored]) {
      expect(text).toContain('Incorrect API key provided: [redacted]');
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(FAKE.openai);
    }
    const failed = (await rawRun(testServer().address, testServer().namespace, workflowId)).events.find((event) => event.workflowExecutionFailedEventAttributes);
    const workflowFailure = String(failed?.workflowExecutionFailedEventAttributes?.failure?.message);
    expect(mentions(workflowFailure, 'writer')).toBe(1);
    expect(bytesAsText(failed)).not.toContain(KEY);
  });
});
