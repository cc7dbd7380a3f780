/**
 * Poisoned runs end FAILED within seconds, on a real server: a run whose
 * input the workflow cannot decode (a value type the workflow sandbox does
 * not know, ciphertext corrupted on the way) fails with a message naming
 * the reason. Without this, Temporal retries the failing workflow task
 * forever and the run stays RUNNING.
 */
import { Flock } from '@flock-ts/core';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { resolveConnection, type ResolvedConnection } from '../src/lib/connection';
import { flockDataConverter } from '../src/lib/data-converter';
import { buildFlockWorkflowStart } from '../src/lib/run-start';
import { toFlockRunFailedError } from '../src/lib/run-start';
import { createFlockWorker, type FlockWorker } from '../src/lib/worker-factory';
import { rejection, testServer, uniqueQueue } from './harness';
import { isolatedEnv, randomKey } from './support/raw-history';

jest.setTimeout(60_000);

const server = testServer();
const queue = uniqueQueue('poisoned');
const keyedEnv = { FLOCK_PAYLOAD_ENCRYPTION_KEY: randomKey(), FLOCK_PAYLOAD_KEY_ID: 'poison-key' };
const keyed: ResolvedConnection = resolveConnection({ serverUrl: server.address, namespace: server.namespace }, isolatedEnv(keyedEnv));
const flock = new Flock({
  name: uniqueQueue('poisoned'),
  temporalConfig: { taskQueue: queue },
  agents: [{ name: 'reader', input: 'x: unknown', output: 'y: string', evaluate: () => ({ y: 'read' }) }],
});
let worker: FlockWorker;
const connections: Connection[] = [];

beforeAll(async () => {
  worker = await createFlockWorker({ connection: keyed, flocks: [flock], taskQueue: queue });
  void worker.run();
  await worker.polling();
});

afterAll(async () => {
  await worker?.shutdown();
  await Promise.all(connections.map((c) => c.close()));
});

/** A client of the keyed worker's namespace whose codec is `codec` (what a broken or hostile client sends). */
async function clientWith(codec: PayloadCodec | undefined): Promise<Client> {
  const connection = await Connection.connect({ address: server.address });
  connections.push(connection);
  return new Client({ connection, namespace: server.namespace, dataConverter: flockDataConverter({ codec }) });
}

/** Starts a run past every client-side guard, waits for its end, and says how long it took. */
async function runPoisoned(client: Client, input: Record<string, unknown>) {
  const start = buildFlockWorkflowStart(flock.toDefinition(), { startAgent: 'reader', input: { x: 'placeholder' } });
  start.options.args[0].input = input;
  const started = Date.now();
  const handle = await client.workflow.start(start.workflowType, start.options);
  const error = await rejection(handle.result().catch((e) => Promise.reject(toFlockRunFailedError(e, start.workflowId))));
  // raw, so a memo the test client itself corrupted is not decoded
  const described = await client.workflowService.describeWorkflowExecution({ namespace: server.namespace, execution: { workflowId: handle.workflowId } });
  const status =
    described.workflowExecutionInfo?.status === temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED
      ? 'FAILED'
      : String(described.workflowExecutionInfo?.status);
  return { error, ms: Date.now() - started, status };
}

describe('poisoned runs', () => {
  it('a Node Buffer in the run input (which the workflow sandbox cannot decode) fails the run at once', async () => {
    const { error, ms, status } = await runPoisoned(await clientWith(keyed.payloadCodec), { x: Buffer.from('hi') });
    expect(status).toBe('FAILED');
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'INVALID_RUN_INPUT', causeType: 'PayloadDecodeError' });
    expect(error.message).toMatch(/The run's input cannot be decoded: cannot decode a json\/plain payload: .*typed array/);
    expect(ms).toBeLessThan(10_000);
    process.stdout.write(`poisoned run (Buffer in the input) ended FAILED after ${ms} ms\n`);
  });

  it('corrupted ciphertext in the run input fails the run at once, naming the codec failure', async () => {
    const codec = keyed.payloadCodec as PayloadCodec;
    // encrypts as the keyed client would, then flips one byte of each payload on the way
    const corrupting: PayloadCodec = {
      encode: async (payloads: Payload[]) =>
        (await codec.encode(payloads)).map((p) => {
          const data = new Uint8Array(p.data ?? []);
          if (data.length > 20) data[data.length - 5] ^= 0xff;
          return { ...p, data };
        }),
      decode: (payloads: Payload[]) => codec.decode(payloads),
    };
    const { error, ms, status } = await runPoisoned(await clientWith(corrupting), { x: 'fine' });
    expect(status).toBe('FAILED');
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'INVALID_RUN_INPUT' });
    expect(error.message).toMatch(/The run's input cannot be decoded: the payload codec cannot decode it/);
    expect(ms).toBeLessThan(10_000);
    process.stdout.write(`poisoned run (corrupted ciphertext) ended FAILED after ${ms} ms\n`);
  });

  it('keeps serving good runs afterwards', async () => {
    const client = await clientWith(keyed.payloadCodec);
    const start = buildFlockWorkflowStart(flock.toDefinition(), { startAgent: 'reader', input: { x: 'good' } });
    const result = await client.workflow.execute(start.workflowType, start.options);
    expect((result as { output: unknown }).output).toEqual({ y: 'read' });
  });
});
