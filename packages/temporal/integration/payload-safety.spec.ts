/**
 * Payload safety on a real server: with FLOCK_PAYLOAD_* set, a run's
 * history and memo hold no plaintext (read raw, past every converter);
 * clients and workers without the key fail clearly; a step whose output
 * would break Temporal's payload limit fails first, naming the agent.
 */
import { Flock } from '@flock-ts/core';
import type { temporal } from '@temporalio/proto';
import { resolveConnection, type ResolvedConnection } from '../src/lib/connection';
import { FlockRunsClient } from '../src/lib/runs-client';
import { createFlockWorker, type FlockWorker } from '../src/lib/worker-factory';
import { bundleFlockWorkflows } from '../src/lib/workflow-bundle';
import { eventually, rejection, testServer, uniqueQueue } from './harness';
import { isolatedEnv, randomKey, rawRun } from './support/raw-history';

jest.setTimeout(60_000);

const server = testServer();
const KEY_ID = 'it-key-1';
const KEY = randomKey();
const INPUT_MARKER = 'plaintext-input-albatross';
const OUTPUT_MARKER = 'plaintext-output-pelican';
const DESCRIPTION_MARKER = 'plaintext-description-heron';
const FAILURE_MARKER = 'plaintext-failure-cormorant';

const connectionWith = (env: Record<string, string>): ResolvedConnection => resolveConnection({ serverUrl: server.address, namespace: server.namespace }, isolatedEnv(env));
const keyed = connectionWith({ FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY, FLOCK_PAYLOAD_KEY_ID: KEY_ID, FLOCK_PAYLOAD_COMPRESSION: 'gzip' });
const keyless = connectionWith({});

const flock = new Flock({
  name: uniqueQueue('payload-safety'),
  agents: [
    {
      name: 'scribe',
      description: `copies notes (${DESCRIPTION_MARKER})`,
      input: 'note: string',
      output: 'echo: string',
      evaluate: ({ note }) => ({ echo: `${String(note)} ${OUTPUT_MARKER}` }),
      next: 'closer',
    },
    { name: 'closer', input: 'echo: string', output: 'length: integer', evaluate: ({ echo }) => ({ length: String(echo).length }) },
    {
      name: 'leaky',
      input: 'note: string',
      output: 'never: string',
      temporalActivityConfig: { retryMaxAttempts: 1 },
      evaluate: ({ note }) => {
        throw new Error(`cannot file ${String(note)} ${FAILURE_MARKER}`);
      },
    },
    {
      name: 'hoarder',
      input: 'note: string',
      output: 'blob: string',
      // 2.2 MB: past Temporal's 2 MiB payload limit
      evaluate: () => ({ blob: 'x'.repeat(2_200_000) }),
    },
  ],
});

const queue = uniqueQueue('payload-safety');
const workers: FlockWorker[] = [];
let runs: FlockRunsClient;

beforeAll(async () => {
  const worker = await createFlockWorker({ connection: keyed, flocks: [flock], taskQueue: queue });
  void worker.run();
  await worker.polling();
  workers.push(worker);
  runs = await FlockRunsClient.connect(keyed);
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.shutdown()));
  await runs?.close();
});

const eventsOf = (events: temporal.api.history.v1.IHistoryEvent[], key: keyof temporal.api.history.v1.IHistoryEvent) => events.filter((event) => event[key]);

function encodingOf(payload: temporal.api.common.v1.IPayload | null | undefined): string {
  return Buffer.from(payload?.metadata?.['encoding'] ?? []).toString('utf8');
}

describe('payload codec on a real server', () => {
  let workflowId: string;

  beforeAll(async () => {
    ({ workflowId } = await runs.start(flock, { startAgent: 'scribe', input: { note: INPUT_MARKER }, taskQueue: queue }));
    await runs.result(workflowId);
  });

  it('lets a client with the key read results, steps and status', async () => {
    const result = await runs.result(workflowId);
    const steps = [];
    for await (const step of runs.steps(workflowId)) steps.push(step);
    expect(steps.map((step) => [step.agent, step.inputs, step.output])).toEqual([
      ['scribe', { note: INPUT_MARKER }, { echo: `${INPUT_MARKER} ${OUTPUT_MARKER}` }],
      ['closer', { echo: `${INPUT_MARKER} ${OUTPUT_MARKER}` }, { length: `${INPUT_MARKER} ${OUTPUT_MARKER}`.length }],
    ]);
    expect(result.output).toEqual({ length: `${INPUT_MARKER} ${OUTPUT_MARKER}`.length });
    const status = await runs.status(workflowId);
    expect(status).toMatchObject({ phase: 'completed', flockName: flock.name, source: 'result' });
  });

  it('leaves no plaintext of input, output or definition in the stored history and memo', async () => {
    const raw = await rawRun(server.address, server.namespace, workflowId);
    for (const marker of [INPUT_MARKER, OUTPUT_MARKER, DESCRIPTION_MARKER, 'copies notes']) expect(raw.text).not.toContain(marker);

    const started = raw.events[0].workflowExecutionStartedEventAttributes;
    expect(encodingOf(started?.input?.payloads?.[0])).toBe('binary/encrypted');
    expect(Buffer.from(started?.input?.payloads?.[0]?.metadata?.['encryption-key-id'] ?? []).toString()).toBe(KEY_ID);
    // the definition snapshot is large enough to be compressed before it is encrypted
    expect(Buffer.from(started?.input?.payloads?.[0]?.metadata?.['flock-codec'] ?? []).toString()).toBe('gzip+aes-256-gcm');
    const memoFields = Object.values(raw.memo?.fields ?? {});
    expect(memoFields.length).toBeGreaterThan(0);
    for (const field of memoFields) expect(encodingOf(field)).toBe('binary/encrypted');
    const results = eventsOf(raw.events, 'activityTaskCompletedEventAttributes').map((e) => e.activityTaskCompletedEventAttributes?.result?.payloads?.[0]);
    expect(results).toHaveLength(2);
    for (const payload of results) expect(encodingOf(payload)).toBe('binary/encrypted');
    const completed = eventsOf(raw.events, 'workflowExecutionCompletedEventAttributes')[0];
    expect(encodingOf(completed.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0])).toBe('binary/encrypted');
  });

  it('encrypts failure messages too, which the keyed client reads back', async () => {
    const { workflowId: failedId } = await runs.start(flock, { startAgent: 'leaky', input: { note: INPUT_MARKER }, taskQueue: queue });
    const error = await rejection(runs.result(failedId));
    expect(error.name).toBe('FlockRunFailedError');
    expect(error.message).toContain(FAILURE_MARKER);
    expect(error['agent']).toBe('leaky');
    const raw = await rawRun(server.address, server.namespace, failedId);
    expect(eventsOf(raw.events, 'workflowExecutionFailedEventAttributes')).toHaveLength(1);
    expect(raw.text).not.toContain(FAILURE_MARKER);
    expect(raw.text).not.toContain(INPUT_MARKER);
  });

  it('tells a client without a codec which key id it needs', async () => {
    const blind = await FlockRunsClient.connect(keyless);
    try {
      const error = await rejection(blind.result(workflowId));
      expect(error.name).toBe('PayloadCodecError');
      expect(error['code']).toBe('ENCRYPTED_PAYLOAD');
      expect(error.message).toContain(`key id "${KEY_ID}"`);
      expect(error.message).toContain('FLOCK_PAYLOAD_ENCRYPTION_KEY');
    } finally {
      await blind.close();
    }
  });

  it('tells a client with other keys which key id is missing, and a wrong key that it is wrong', async () => {
    const other = await FlockRunsClient.connect(connectionWith({ FLOCK_PAYLOAD_ENCRYPTION_KEY: randomKey(), FLOCK_PAYLOAD_KEY_ID: 'it-key-2' }));
    const wrong = await FlockRunsClient.connect(connectionWith({ FLOCK_PAYLOAD_ENCRYPTION_KEY: randomKey(), FLOCK_PAYLOAD_KEY_ID: KEY_ID }));
    try {
      const unknown = await rejection(other.result(workflowId));
      expect(unknown).toMatchObject({ name: 'PayloadDecodeError', reason: 'UNKNOWN_KEY', keyId: KEY_ID });
      expect(unknown.message).toContain('(it has: it-key-2)');
      const mismatch = await rejection(wrong.result(workflowId));
      expect(mismatch).toMatchObject({ name: 'PayloadDecodeError', reason: 'DECRYPTION_FAILED', keyId: KEY_ID });
    } finally {
      await Promise.all([other.close(), wrong.close()]);
    }
  });

  it('a worker without the key fails the workflow task naming the key id, and runs nothing', async () => {
    const blindQueue = uniqueQueue('payload-blind');
    const blind = await createFlockWorker({ connection: keyless, flocks: [flock], taskQueue: blindQueue });
    void blind.run();
    workers.push(blind);
    await blind.polling();
    const { workflowId: stuckId } = await runs.start(flock, { startAgent: 'scribe', input: { note: INPUT_MARKER }, taskQueue: blindQueue });
    try {
      const failure = await eventually(async () => {
        const raw = await rawRun(server.address, server.namespace, stuckId);
        return eventsOf(raw.events, 'workflowTaskFailedEventAttributes')[0]?.workflowTaskFailedEventAttributes?.failure ?? undefined;
      });
      expect(failure.message).toContain(`key id "${KEY_ID}"`);
      const raw = await rawRun(server.address, server.namespace, stuckId);
      expect(eventsOf(raw.events, 'activityTaskScheduledEventAttributes')).toHaveLength(0);
    } finally {
      await runs.client.workflow.getHandle(stuckId).terminate('test over');
    }
  });
});

describe('workflow bundles', () => {
  it('hold no codec code (codecs run outside the sandbox); the variant for encrypting workers encodes failure texts', async () => {
    const [plain, encoded] = await Promise.all([bundleFlockWorkflows(), bundleFlockWorkflows({ encodeFailures: true })]);
    for (const { code } of [plain, encoded]) {
      expect(code).not.toContain('AES-GCM');
      expect(code).not.toContain('CompressionStream');
    }
    // (the bundle's code is printed without whitespace; a failed toMatch would print all of it)
    expect(/encodeCommonAttributes:\s*true/.test(encoded.code)).toBe(true);
    expect(/encodeCommonAttributes:\s*true/.test(plain.code)).toBe(false);
  });
});

describe('payload size guard on a real server', () => {
  it('fails a step whose output would break the 2 MiB payload limit, naming the agent, without retrying', async () => {
    const { workflowId } = await runs.start(flock, { startAgent: 'hoarder', input: { note: 'hoard' }, taskQueue: queue });
    const error = await rejection(runs.result(workflowId));
    expect(error.name).toBe('FlockRunFailedError');
    expect(error['agent']).toBe('hoarder');
    expect(error['code']).toBe('PAYLOAD_TOO_LARGE');
    expect(error['failureType']).toBe('PayloadTooLargeError');
    expect(error.message).toMatch(/Output of agent "hoarder" is \d+ bytes, over the limit of \d+ bytes/);
    const raw = await rawRun(server.address, server.namespace, workflowId);
    const startedAttempts = eventsOf(raw.events, 'activityTaskStartedEventAttributes').map((e) => e.activityTaskStartedEventAttributes?.attempt);
    expect(startedAttempts).toEqual([1]); // non-retryable, though the agent allows 3 attempts
    const activityFailure = eventsOf(raw.events, 'activityTaskFailedEventAttributes')[0]?.activityTaskFailedEventAttributes?.failure;
    expect(activityFailure?.applicationFailureInfo?.type).toBe('PayloadTooLargeError');
    expect(activityFailure?.applicationFailureInfo?.nonRetryable).toBe(true);
  });
});
