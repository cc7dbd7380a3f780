import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import type { Flock } from '@flock-ts/core';
import { resolveConnection } from '../src/lib/connection';
import { flockDataConverter } from '../src/lib/data-converter';
import { FlockRunsClient } from '../src/lib/runs-client';
import { createFlockWorker, type FlockWorker } from '../src/lib/worker-factory';

/** The shared dev server started by the Jest global setup. */
export function testServer(): { address: string; namespace: string } {
  const address = process.env['FLOCK_TEST_TEMPORAL_ADDRESS'];
  const namespace = process.env['FLOCK_TEST_TEMPORAL_NAMESPACE'] ?? 'default';
  if (!address) throw new Error('FLOCK_TEST_TEMPORAL_ADDRESS is not set: run through the Jest global setup');
  return { address, namespace };
}

/** A task queue no other test uses, so suites run in parallel. */
export function uniqueQueue(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Temporal config for a flock under test, on the shared server. */
export function temporalConfigFor(taskQueue: string, extra: Record<string, unknown> = {}) {
  const { address, namespace } = testServer();
  return { serverUrl: address, namespace, taskQueue, ...extra };
}

export async function testClient(): Promise<Client> {
  const { address, namespace } = testServer();
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace, dataConverter: flockDataConverter() });
}

/** Polls `probe` until it returns a value (visibility is eventually consistent). */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Awaits a promise expected to reject, returning the error for inspection. */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the promise to reject');
}

/**
 * A runs client and in-process workers for one spec file, on the shared
 * server: the client connects before the file's tests, every worker
 * `startWorker` started shuts down after them.
 */
export function workerHarness() {
  const server = testServer();
  const connection = resolveConnection({ serverUrl: server.address, namespace: server.namespace });
  const workers: FlockWorker[] = [];
  const clients = {} as { runs: FlockRunsClient };
  beforeAll(async () => {
    clients.runs = await FlockRunsClient.connect(connection);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.shutdown().catch(() => undefined)));
    await clients.runs?.close();
  });
  /** Starts a worker for `flock` on `taskQueue`; resolves once it polls. */
  const startWorker = async (flock: Flock, taskQueue: string): Promise<FlockWorker> => {
    const worker = await createFlockWorker({ connection, flocks: [flock], taskQueue });
    void worker.run();
    await worker.polling();
    workers.push(worker);
    return worker;
  };
  return { connection, startWorker, clients };
}
