/**
 * Secrets never leave the process that holds them: API keys and tokens set
 * in a flock's config, and credentials a provider echoes back in an error,
 * are searched for in the four places a run leaves traces: the memo, the
 * stored history (read raw), the worker's logs and the OpenTelemetry spans.
 */
import { Flock, defineTool } from '@flock-ts/core';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { resolveConnection } from '../src/lib/connection';
import type { TemporalRunResult } from '../src/lib/temporal-executor';
import { FlockRunsClient } from '../src/lib/runs-client';
import { createFlockWorker, type FlockWorker } from '../src/lib/worker-factory';
import { loadFlockModules } from '../src/lib/flock-module';
import { rejection, testServer, uniqueQueue } from './harness';
import { bytesAsText, isolatedEnv, rawRun } from './support/raw-history';
import { temporal } from '../src';

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
  // formats an adversarial probe found reaching the memo, history and logs (issue 12)
  adoPassword: ['hunter', '2'].join(''),
  basicCredential: ['dXNlcjpo', 'dW50ZXIy'].join(''),
  hexApiKey: ['5f4dcc3b5aa765d6', '1d8327deb882cf99'].join(''),
  subscriptionKey: ['0123456789abcdef', 'fedcba9876543210'].join(''),
  sasSig: ['q0X%2Bk9LmN3p', 'RtYv5Wz%3D'].join(''),
  amzSignature: ['0f1e2d3c4b5a6978', '8796a5b4c3d2e1f0'].join(''),
  authPass: ['nested-', 'pass-7731'].join(''),
  inputKey: ['sk-', 'proj-', 'InPuT9kEy8fOr7tHe6rUn5'].join(''),
};
const CONNECTION_STRING = `Server=tcp:db.example.net,1433;Database=app;User Id=app;Password=${SECRETS.adoPassword};`;
const SAS_URL = `https://acct.blob.core.windows.net/c/report.pdf?sv=2022-11-02&sp=r&sig=${SECRETS.sasSig}`;
const PRESIGNED_URL = `https://bucket.s3.amazonaws.com/o.txt?X-Amz-Expires=900&X-Amz-Signature=${SECRETS.amzSignature}`;

const server = testServer();
const queue = uniqueQueue('secrets');

function secretFlock() {
  return new Flock({
    name: uniqueQueue('secrets'),
    executor: temporal(),
    temporalStartInProcessWorker: false,
    // the API key rides along in the config; the connection here is plain, so TLS stays off
    temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue, apiKey: SECRETS.temporalApiKey, tls: false },
    metadata: {
      owner: 'team-agents',
      githubToken: SECRETS.githubToken,
      dbPassword: SECRETS.password,
      connection: CONNECTION_STRING,
      headers: { 'ocp-apim-subscription-key': SECRETS.subscriptionKey },
      auth: { user: 'app', pass: SECRETS.authPass },
      db: { pwd: SECRETS.password },
      reportUrl: SAS_URL,
      archiveUrl: PRESIGNED_URL,
    },
    tools: [
      defineTool({
        name: 'db',
        input: 'q: string',
        execute: () => {
          // a driver error echoes the connection string and the header it sent
          throw new Error(`login failed for ${CONNECTION_STRING} (Authorization: Basic ${SECRETS.basicCredential}, x-api-key: ${SECRETS.hexApiKey})`);
        },
      }),
    ],
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
        next: (_ctx, output) => {
          const answer = String(output['answer']);
          if (answer.includes('tool')) return 'dbCaller';
          return answer.includes('fail') ? 'rejected' : null;
        },
      },
      {
        name: 'dbCaller',
        input: 'topic: string',
        output: 'never: string',
        tools: ['db'],
        temporalActivityConfig: { retryMaxAttempts: 1 },
        evaluate: async (_inputs, ctx) => ({ never: String(await ctx.callTool('db', { q: 'select 1' })) }),
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
let toolFailure: Error & Record<string, unknown>;
let toolFailedId: string;
// a flock and an agent named like provider keys: names are not secrets, the run must work on Temporal
const namedFlock = new Flock({
  name: 'sk-customer-support-bot',
  executor: temporal(),
  temporalStartInProcessWorker: false,
  temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue, tls: false },
  agents: [{ name: 'sk-summarizer-agent-01', input: 'topic: string', output: 'summary: string', evaluate: ({ topic }) => ({ summary: `summary of ${String(topic)}` }) }],
});
let namedResult: TemporalRunResult;
let freeTextResult: TemporalRunResult;

beforeAll(async () => {
  const connection = resolveConnection({ serverUrl: server.address, namespace: server.namespace }, isolatedEnv());
  worker = await createFlockWorker({ connection, flocks: [flock, namedFlock], taskQueue: queue });
  void worker.run();
  await worker.polling();
  runs = await FlockRunsClient.connect(connection);
  succeeded = await flock.run({ startAgent: 'caller', input: { topic: 'durable agents' } });
  failure = await rejection(flock.run({ startAgent: 'caller', input: { topic: 'fail loudly' } }));
  failedId = failure['workflowId'] as string;
  toolFailure = await rejection(flock.run({ startAgent: 'caller', input: { topic: 'tool call' } }));
  toolFailedId = toolFailure['workflowId'] as string;
  namedResult = await namedFlock.run({ startAgent: 'sk-summarizer-agent-01', input: { topic: 'refunds' } });
  // a credential pasted into free text is cut out of the stored input; the run goes on
  freeTextResult = await namedFlock.run({ startAgent: 'sk-summarizer-agent-01', input: { topic: `my key is ${SECRETS.inputKey}` } });
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
    expect(toolFailure.name).toBe('FlockRunFailedError');
    expect(toolFailure['agent']).toBe('dbCaller');
    expect(toolFailure.message).toContain('Password=[redacted];');
    expect(toolFailure.message).toContain('Authorization: [redacted]');
    expect(toolFailure.message).toContain('x-api-key: [redacted]');
    expectNoSecret(toolFailure.message, 'the thrown error');
    expectNoSecret(String(toolFailure.stack), 'the thrown error stack');
  });

  it('runs a flock and an agent whose names start like a provider key', () => {
    expect(namedResult.output['summary']).toBe('summary of refunds');
    expect(namedResult.temporal.workflowId.startsWith('sk-customer-support-bot-')).toBe(true);
    expect(freeTextResult.output['summary']).toBe('summary of my key is [redacted]');
  });

  it('refuses a run input that carries a secret-named value, before storing anything', async () => {
    for (const input of [
      { topic: 't', apiKey: SECRETS.providerKey },
      { topic: 't', headers: { Authorization: SECRETS.bearer } },
    ]) {
      const error = await rejection(namedFlock.run({ startAgent: 'sk-summarizer-agent-01', input }));
      expect(error.name).toBe('FlockConfigError');
      expect(error.message).toMatch(/input\.(apiKey|headers\.Authorization)/);
      expect(error.message).toContain('environment or the worker config');
      expectNoSecret(error.message, 'the refusal');
    }
  });

  it('cuts credentials out of a flock module import error', async () => {
    const failing = async () => {
      throw new Error(`cannot connect: ${CONNECTION_STRING} with Authorization: Basic ${SECRETS.basicCredential}`);
    };
    const error = await rejection(loadFlockModules([__filename], process.cwd(), failing));
    expect(error.message).toContain('Password=[redacted];');
    expectNoSecret(error.message, 'the module error');
    expectNoSecret(String((error as Error & { cause?: Error }).cause?.stack), 'the module error cause');
  });

  it('keeps them out of the memo', async () => {
    for (const workflowId of [succeeded.temporal.workflowId, failedId, toolFailedId]) {
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
    for (const workflowId of [succeeded.temporal.workflowId, failedId, toolFailedId, namedResult.temporal.workflowId, freeTextResult.temporal.workflowId]) {
      const raw = await rawRun(server.address, server.namespace, workflowId);
      expect(raw.text).toMatch(/calls a provider with its key|sk-summarizer-agent-01/);
      expectNoSecret(raw.text, `history of ${workflowId}`);
    }
    const failedHistory = (await rawRun(server.address, server.namespace, failedId)).text;
    expect(failedHistory).toContain('Incorrect API key provided: [redacted]');
    const toolHistory = (await rawRun(server.address, server.namespace, toolFailedId)).text;
    expect(toolHistory).toContain('Password=[redacted];');
    expect(toolHistory).toContain('Authorization: [redacted]');
    const inputHistory = (await rawRun(server.address, server.namespace, freeTextResult.temporal.workflowId)).text;
    expect(inputHistory).toContain('my key is [redacted]');
  });

  it('keeps them out of the worker logs', () => {
    const text = JSON.stringify(
      logs.map((entry) => ({ level: entry.level, message: entry.message, meta: entry.meta })),
      (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message, stack: value.stack, cause: value.cause } : value),
    );
    expect(text).toContain('Evaluating agent');
    expect(text).toContain('Incorrect API key provided');
    expect(text).toContain('login failed for Server=tcp:db.example.net');
    expectNoSecret(text, 'worker logs');
  });

  const spanText = (keep: (name: string) => boolean) =>
    JSON.stringify(
      spans
        .getFinishedSpans()
        .filter((span) => keep(span.name))
        .map((span) => ({ name: span.name, attributes: span.attributes, events: span.events, status: span.status })),
    );

  it('keeps them out of the spans', () => {
    const finished = spans.getFinishedSpans();
    expect(finished.map((span) => span.name)).toContain('flock.agent.evaluate');
    const text = spanText((name) => name !== 'flock.tool.call');
    expect(text).toContain('Incorrect API key provided');
    expect(text).toContain('Password=[redacted];');
    expectNoSecret(text, 'spans');
  });

  // Known gap (issue 12): packages/core/src/lib/tool.ts records the tool's raw error on the
  // flock.tool.call span (recordException / setStatus without redactSecretsInText). Turns red once fixed: drop `.failing` then.
  it('keeps them out of the flock.tool.call span', () => {
    const text = spanText((name) => name === 'flock.tool.call');
    expect(text).toContain('login failed');
    expectNoSecret(text, 'flock.tool.call span');
  });
});
