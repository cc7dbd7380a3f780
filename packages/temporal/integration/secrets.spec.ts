/**
 * Secrets never leave the process that holds them: API keys and tokens set
 * in a flock's config, and credentials a provider echoes back in an error,
 * are searched for in the four places a run leaves traces: the memo, the
 * stored history (read raw), the worker's logs and the OpenTelemetry spans.
 */
import { Flock } from '@flock-ts/core';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import '../src';
import { resolveConnection } from '../src/lib/connection';
import type { TemporalRunResult } from '../src/lib/temporal-executor';
import { FlockRunsClient } from '../src/lib/runs-client';
import { createFlockWorker, type FlockWorker } from '../src/lib/worker-factory';
import { rejection, testServer, uniqueQueue } from './harness';
import { bytesAsText, isolatedEnv, rawRun } from './support/raw-history';

jest.setTimeout(60_000);

// Every log line of every worker in this process, at the most verbose level the SDK forwards.
const logs: LogEntry[] = [];
Runtime.install({ logger: new DefaultLogger('TRACE', (entry) => logs.push(entry)) });

const spans = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
provider.register();

// Made-up credentials in real formats, assembled so secret scanners do not flag the repository.
const SECRETS = {
  providerKey: ['sk-', 'proj-', 'Qw3rTy7uIo1pAs5dFg9hJk2l'].join(''),
  temporalApiKey: ['tmprl', '-api-', 'key-8f2c1d9e7b6a5f4e3d2c1b0a'].join(''),
  githubToken: ['gh', 'p_', 'R4nd0mT0k3nF0rT3st1ngOnly12345678'].join(''),
  bearer: ['Bearer ', 'eyJ0b2tlbiI6IjEyMzQ1Njc4OTAifQ'].join(''),
  password: 'correct-horse-battery-staple-9',
};

const server = testServer();
const queue = uniqueQueue('secrets');

function secretFlock(): Flock {
  return new Flock({
    name: uniqueQueue('secrets'),
    enableTemporal: true,
    temporalStartInProcessWorker: false,
    // the API key rides along in the config; the connection here is plain, so TLS stays off
    temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue, apiKey: SECRETS.temporalApiKey, tls: false },
    metadata: { owner: 'team-agents', githubToken: SECRETS.githubToken, dbPassword: SECRETS.password },
    agents: [
      {
        name: 'caller',
        description: 'calls a provider with its key',
        input: 'topic: string',
        output: 'answer: string',
        settings: { apiKey: SECRETS.providerKey, headers: { Authorization: SECRETS.bearer }, model: 'gpt-4o-mini' },
        temporalActivityConfig: { retryMaxAttempts: 1 },
        evaluate: ({ topic }, ctx) => {
          // the evaluator uses the key, as a model client would
          const key = ctx.settings['apiKey'] as string;
          return { answer: `${String(topic)} answered with a key of ${key.length} characters` };
        },
        next: (_ctx, output) => (String(output['answer']).includes('fail') ? 'rejected' : null),
      },
      {
        name: 'rejected',
        input: 'topic: string',
        output: 'never: string',
        temporalActivityConfig: { retryMaxAttempts: 1 },
        evaluate: () => {
          // providers echo the credential they refused; that text must not travel
          throw new Error(`401 Unauthorized: Incorrect API key provided: ${SECRETS.providerKey} (token ${SECRETS.githubToken})`);
        },
      },
    ],
  });
}

const flock = secretFlock();
let worker: FlockWorker;
let runs: FlockRunsClient;
let succeeded: TemporalRunResult;
let failure: Error & Record<string, unknown>;
let failedId: string;

beforeAll(async () => {
  const connection = resolveConnection({ serverUrl: server.address, namespace: server.namespace }, isolatedEnv());
  worker = await createFlockWorker({ connection, flocks: [flock], taskQueue: queue });
  void worker.run();
  await worker.polling();
  runs = await FlockRunsClient.connect(connection);
  succeeded = (await flock.run({ startAgent: 'caller', input: { topic: 'durable agents' } })) as TemporalRunResult;
  failure = await rejection(flock.run({ startAgent: 'caller', input: { topic: 'fail loudly' } }));
  failedId = failure['workflowId'] as string;
});

afterAll(async () => {
  await worker?.shutdown();
  await runs?.close();
  await provider.shutdown();
});

function expectNoSecret(text: string, where: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) {
    if (text.includes(secret)) throw new Error(`${where} holds the ${name}`);
  }
}

describe('secrets on a real server', () => {
  it('the runs did what they should (so the searches below look at real traces)', () => {
    expect(succeeded.output['answer']).toBe(`durable agents answered with a key of ${SECRETS.providerKey.length} characters`);
    expect(failure.name).toBe('FlockRunFailedError');
    expect(failure['agent']).toBe('rejected');
    expect(failure.message).toContain('401 Unauthorized: Incorrect API key provided: [redacted] (token [redacted])');
  });

  it('keeps them out of the memo', async () => {
    for (const workflowId of [succeeded.temporal.workflowId, failedId]) {
      const description = await runs.client.workflow.getHandle(workflowId).describe();
      const memo = JSON.stringify(description.memo);
      expect(memo).toContain('team-agents'); // the memo holds the definition's harmless metadata
      expectNoSecret(memo, 'memo');
      const stored = bytesAsText((await rawRun(server.address, server.namespace, workflowId)).memo);
      expect(stored).toContain('team-agents');
      expectNoSecret(stored, 'stored memo');
    }
  });

  it('keeps them out of the stored history, failures included', async () => {
    for (const workflowId of [succeeded.temporal.workflowId, failedId]) {
      const raw = await rawRun(server.address, server.namespace, workflowId);
      expect(raw.text).toContain('calls a provider with its key');
      expectNoSecret(raw.text, `history of ${workflowId}`);
    }
    const failedHistory = (await rawRun(server.address, server.namespace, failedId)).text;
    expect(failedHistory).toContain('Incorrect API key provided: [redacted]');
  });

  it('keeps them out of the worker logs', () => {
    const text = JSON.stringify(logs.map((entry) => ({ level: entry.level, message: entry.message, meta: entry.meta })), (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message, stack: value.stack, cause: value.cause } : value,
    );
    expect(text).toContain('Evaluating agent');
    expect(text).toContain('Incorrect API key provided');
    expectNoSecret(text, 'worker logs');
  });

  it('keeps them out of the spans', () => {
    const finished = spans.getFinishedSpans();
    const text = JSON.stringify(finished.map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status })));
    expect(finished.map((span) => span.name)).toContain('flock.agent.evaluate');
    expect(text).toContain('Incorrect API key provided');
    expectNoSecret(text, 'spans');
  });
});
