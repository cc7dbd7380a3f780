/**
 * Payload hardening on a real server (issue 12): an encrypting worker
 * refuses runs a client without the key starts (unless told otherwise),
 * caps what a payload may decompress to, `list()` shows runs this client
 * cannot decrypt instead of failing, and `status()` says when a step waits
 * on a task queue no worker polls.
 */
import { Flock } from '@flock-ts/core';
import type { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { resolveConnection, type ResolvedConnection } from '../src/lib/connection';
import { FlockRunsClient } from '../src/lib/runs-client';
import { createFlockWorker, type FlockWorker } from '../src/lib/worker-factory';
import { eventually, testServer, uniqueQueue } from './harness';
import { isolatedEnv, randomKey, rawRun } from './support/raw-history';

jest.setTimeout(90_000);

const server = testServer();
const KEY_ID = 'hardening-key-1';
const KEY = randomKey();
const MiB = 1024 * 1024;

const connectionWith = (env: Record<string, string>): ResolvedConnection => resolveConnection({ serverUrl: server.address, namespace: server.namespace }, isolatedEnv(env));
const keyedEnv = { FLOCK_PAYLOAD_ENCRYPTION_KEY: KEY, FLOCK_PAYLOAD_KEY_ID: KEY_ID, FLOCK_PAYLOAD_COMPRESSION: 'gzip' };
const keyed = connectionWith(keyedEnv);
const lenient = connectionWith({ ...keyedEnv, FLOCK_PAYLOAD_ALLOW_UNENCRYPTED: 'true' });
const keyless = connectionWith({});

const NOBODY_QUEUE = uniqueQueue('nobody-polls');
const flock = new Flock({
  name: uniqueQueue('payload-hardening'),
  agents: [
    { name: 'echo', input: 'note: string', output: 'echo: string', evaluate: ({ note }) => ({ echo: String(note) }) },
    {
      name: 'stranded',
      input: 'note: string',
      output: 'echo: string',
      temporalActivityConfig: { taskQueue: NOBODY_QUEUE },
      evaluate: ({ note }) => ({ echo: String(note) }),
    },
  ],
});

const strictQueue = uniqueQueue('hardening-strict');
const lenientQueue = uniqueQueue('hardening-lenient');
const workers: FlockWorker[] = [];
const clients: FlockRunsClient[] = [];
const started: Array<{ runs: FlockRunsClient; workflowId: string }> = [];

beforeAll(async () => {
  for (const [connection, taskQueue] of [
    [keyed, strictQueue],
    [lenient, lenientQueue],
  ] as const) {
    const worker = await createFlockWorker({ connection, flocks: [flock], taskQueue });
    void worker.run();
    await worker.polling();
    workers.push(worker);
  }
});

afterAll(async () => {
  // runs left waiting would keep their task queues busy for the other suites
  for (const { runs, workflowId } of started) {
    await runs.client.workflow
      .getHandle(workflowId)
      .terminate('test over')
      .catch(() => undefined);
  }
  await Promise.all(workers.map((w) => w.shutdown()));
  await Promise.all(clients.map((c) => c.close()));
});

async function client(connection: ResolvedConnection): Promise<FlockRunsClient> {
  const runs = await FlockRunsClient.connect(connection);
  clients.push(runs);
  return runs;
}

/** A payload marked gzip-only by the Flock codec whose data inflates to `size` zero bytes (about size / 1030 bytes of gzip). */
async function gzipBomb(size: number): Promise<temporal.api.common.v1.IPayload & { data: Uint8Array }> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve, reject) => gzip.on('end', resolve).on('error', reject));
  const zeros = Buffer.alloc(MiB);
  for (let left = size; left > 0; left -= MiB) {
    if (!gzip.write(zeros.subarray(0, Math.min(left, MiB)))) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return { metadata: { encoding: Buffer.from('binary/gzip'), 'flock-codec': Buffer.from('gzip') }, data: Buffer.concat(chunks) };
}

/** The first workflow-task failure or run failure of `workflowId`, read raw. */
async function firstFailure(workflowId: string): Promise<temporal.api.failure.v1.IFailure> {
  return eventually(async () => {
    const { events } = await rawRun(server.address, server.namespace, workflowId);
    for (const event of events) {
      const failure = event.workflowTaskFailedEventAttributes?.failure ?? event.workflowExecutionFailedEventAttributes?.failure;
      if (failure) return failure;
    }
    return undefined;
  });
}

/** Everything a failure says, causes included; encrypting workers encode failure texts, which the key opens. */
async function failureText(failure: temporal.api.failure.v1.IFailure | null | undefined): Promise<string> {
  const parts: string[] = [];
  for (let f = failure; f; f = f.cause) {
    let { message, stackTrace } = f;
    if (f.encodedAttributes) {
      const codec = keyed.payloadCodec;
      if (!codec) throw new Error('the keyed connection has a codec');
      const [decoded] = await codec.decode([f.encodedAttributes]);
      ({ message, stack_trace: stackTrace } = JSON.parse(Buffer.from(decoded.data ?? []).toString('utf8')) as { message?: string; stack_trace?: string });
    }
    parts.push(`${f.applicationFailureInfo?.type ?? ''} ${message ?? ''} ${stackTrace ?? ''}`);
  }
  return parts.join('\n');
}

describe('strict mode: an encrypting worker and clients without the key', () => {
  it('refuses a run a client without the key starts, saying the payload is not encrypted, and runs none of it', async () => {
    const blind = await client(keyless);
    const { workflowId } = await blind.start(flock, { startAgent: 'echo', input: { note: 'from a client without the key' }, taskQueue: strictQueue });
    started.push({ runs: blind, workflowId });
    const text = await failureText(await firstFailure(workflowId));
    expect(text).toContain('Refusing a payload that is not encrypted');
    expect(text).toContain('FLOCK_PAYLOAD_ALLOW_UNENCRYPTED=true');
    const { events } = await rawRun(server.address, server.namespace, workflowId);
    expect(events.filter((event) => event.activityTaskScheduledEventAttributes)).toHaveLength(0);
  });

  it('with FLOCK_PAYLOAD_ALLOW_UNENCRYPTED=true, runs it (and encrypts what it writes)', async () => {
    const blind = await client(keyless);
    const { workflowId } = await blind.start(flock, { startAgent: 'echo', input: { note: 'legacy client' }, taskQueue: lenientQueue });
    const withKey = await client(lenient);
    expect((await withKey.result(workflowId)).output).toEqual({ echo: 'legacy client' });
  });
});

describe('decompression cap on a real worker', () => {
  it('fails the workflow task of a 1 GiB gzip bomb at the 4 MiB cap, and the worker stays small', async () => {
    const bomb = await gzipBomb(1024 * MiB);
    const runs = await client(lenient);
    const workflowId = `bomb-${randomUUID()}`;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 5);
    try {
      // past every codec: the bytes the attacker would send
      await runs.client.workflowService.startWorkflowExecution({
        namespace: server.namespace,
        workflowId,
        workflowType: { name: 'FlockWorkflowV2' },
        taskQueue: { name: lenientQueue },
        input: { payloads: [bomb] },
        identity: 'payload-hardening bomb',
        requestId: randomUUID(),
      });
      started.push({ runs, workflowId });
      const text = await failureText(await firstFailure(workflowId));
      expect(text).toContain('decompresses to more than 4194304 bytes (4 MiB)');
      // let a retry or two of the workflow task decode it again
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    } finally {
      clearInterval(sampler);
    }
    const growth = (rssPeak - rssBefore) / MiB;
    console.log(
      `worker process (Jest + in-process worker) RSS while decoding a 1 GiB gzip bomb (${bomb.data.byteLength} bytes): ` +
        `${(rssBefore / MiB).toFixed(1)} -> ${(rssPeak / MiB).toFixed(1)} MiB peak (+${growth.toFixed(1)} MiB)`,
    );
    expect(growth).toBeLessThan(128);
  });
});

describe('flockctl list with runs this client cannot decrypt', () => {
  it('lists them, marked with the key id they need', async () => {
    const runs = await client(keyed);
    const { workflowId } = await runs.start(flock, { startAgent: 'echo', input: { note: 'secret' }, taskQueue: strictQueue });
    await runs.result(workflowId);
    const otherKey = await client(connectionWith({ FLOCK_PAYLOAD_ENCRYPTION_KEY: randomKey(), FLOCK_PAYLOAD_KEY_ID: 'hardening-key-2' }));
    const blind = await client(keyless);
    const listed = await eventually(async () => {
      // visibility is eventually consistent: wait until it records the run closed
      const found = (await otherKey.list({ flockName: flock.name, limit: 50 })).find((run) => run.workflowId === workflowId);
      return found?.phase === 'completed' ? found : undefined;
    });
    expect(listed).toMatchObject({ flockName: flock.name, phase: 'completed', unreadable: `encrypted: key ${KEY_ID}`, encryptedWithKey: KEY_ID });
    const listedBlind = (await blind.list({ flockName: flock.name, limit: 50 })).find((run) => run.workflowId === workflowId);
    expect(listedBlind).toMatchObject({ flockName: flock.name, unreadable: `encrypted: key ${KEY_ID}` });
    const readable = (await runs.list({ flockName: flock.name, limit: 50 })).find((run) => run.workflowId === workflowId);
    expect(readable?.unreadable).toBeUndefined();
  });
});

describe('status() of a step no worker will pick up', () => {
  it('says which task queue no worker polls, for which agent, and since when', async () => {
    const runs = await client(keyed);
    const { workflowId } = await runs.start(flock, { startAgent: 'stranded', input: { note: 'anyone there?' }, taskQueue: strictQueue });
    started.push({ runs, workflowId });
    const early = await runs.status(workflowId);
    expect(early.warning).toBeUndefined();
    const view = await eventually(async () => {
      const status = await runs.status(workflowId);
      return status.stalled ? status : undefined;
    }, 30_000);
    expect(view).toMatchObject({
      phase: 'running',
      currentAgent: 'stranded',
      stalled: { taskQueue: NOBODY_QUEUE, kind: 'activity', agent: 'stranded' },
    });
    expect(view.stalled!.scheduledSecondsAgo).toBeGreaterThanOrEqual(5);
    expect(view.warning).toMatch(new RegExp(`^no worker polls task queue ${NOBODY_QUEUE} \\(agent stranded scheduled \\d+ s ago\\)$`));
  });

  it('says nothing while workers poll the queue', async () => {
    const runs = await client(keyed);
    const { workflowId } = await runs.start(flock, { startAgent: 'echo', input: { note: 'hi' }, taskQueue: strictQueue });
    await runs.result(workflowId);
    expect((await runs.status(workflowId)).warning).toBeUndefined();
  });
});
