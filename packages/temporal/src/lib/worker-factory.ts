import { DEFAULT_TASK_QUEUE } from '@flock-ts/config';
import type { Flock } from '@flock-ts/core';
import { currentTelemetryOrNoop } from '@flock-ts/telemetry';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { connectNative } from './connect';
import type { ResolvedConnection } from './connection';
import { codecEncrypts } from './data-converter';
import { ensureFlockSearchAttributes } from './flock-search-attributes';
import { FlockPlugin } from './flock-plugin';
import { bundleFlockWorkflows, inlineSourceMap, loadWorkflowBundle } from './workflow-bundle';

/** Options of {@link createFlockWorker}. */
export interface FlockWorkerOptions {
  connection: ResolvedConnection;
  /**
   * An open connection to poll on instead of connecting (to `connection`'s
   * address): its owner closes it, the worker never does. A `Client` on the
   * same `NativeConnection` can start runs with `requestEagerStart` (the
   * first workflow task goes straight to this worker).
   */
  nativeConnection?: NativeConnection;
  /** Flocks whose agent code this worker hosts. */
  flocks: Flock[];
  taskQueue?: string;
  /**
   * Limit on concurrent activities (agent steps) and workflow tasks
   * (seed: `--concurrency`, env `TEMPORAL_MAX_CONCURRENCY`).
   */
  concurrency?: number;
  /**
   * A prebuilt workflow bundle (`flock-worker` ships them): a file whose
   * `//# sourceMappingURL=` names its map beside it, or one with the map
   * inline; bundled in-process otherwise. With an encrypting payload codec,
   * build it with `bundleFlockWorkflows({ encodeFailures: true })` so
   * workflow failure texts are encrypted too. The file's variant wins over
   * {@link FlockWorkerOptions.workflowTracing}.
   */
  workflowBundlePath?: string;
  /**
   * Bundle the OpenTelemetry workflow interceptors (workflow spans, the
   * trace context handed to agent steps); see `FlockBundleOptions.tracing`.
   * Default: `true` when telemetry is set up in this process as the worker
   * is created (`setupTelemetry` exports spans somewhere), else `false`: the spans
   * would be dropped, and the lean bundle spares each workflow the
   * OpenTelemetry code.
   */
  workflowTracing?: boolean;
  /**
   * Longest time the worker holds back a step's heartbeat before sending it
   * to the server (Temporal's `maxHeartbeatThrottleInterval`; default
   * `DEFAULT_HEARTBEAT_THROTTLE_MS`). The heartbeat carries the text a
   * step streams to run followers and brings back cancellations, so it
   * bounds how late both are. Lower: livelier, more RPCs per running step.
   */
  heartbeatThrottleMs?: number;
  /** Interval of a running step's liveness heartbeat (default 1 s; see `createFlockActivities`). */
  heartbeatIntervalMs?: number;
  /** Extra Temporal worker options (interceptors, identity, sinks...); they win over the options above. */
  workerOptions?: Partial<WorkerOptions>;
}

/** A Temporal worker hosting the Flock workflow and the flocks' activities. */
export interface FlockWorker {
  worker: Worker;
  connection: NativeConnection;
  /** Runs until `shutdown()` (or SIGINT/SIGTERM when the SDK's default handlers are kept). */
  run(): Promise<void>;
  /** Resolves once the worker runs and polls its task queue (call after `run()`). */
  polling(timeoutMs?: number): Promise<void>;
  /** Graceful shutdown: stops polling, lets running tasks finish, closes the connection (unless given as `nativeConnection`). */
  shutdown(): Promise<void>;
}

/**
 * Creates a worker for the given flocks on a task queue. Agents with their
 * own `taskQueue` need a worker on that queue too (same call, other queue).
 *
 * @example
 * const { run } = await createFlockWorker({ connection: resolveConnection(), flocks: [flock], concurrency: 8 });
 * await run();
 */
export async function createFlockWorker(options: FlockWorkerOptions): Promise<FlockWorker> {
  // a given connection belongs to the caller: never closed here
  const owned = !options.nativeConnection;
  // an unreachable server fails within the connect deadline, saying why (TemporalUnreachableError)
  const connection = options.nativeConnection ?? (await connectNative(options.connection));
  const closeOwned = () => (owned ? connection.close() : Promise.resolve());
  try {
    await ensureFlockSearchAttributes(connection, options.connection);
    const concurrency = options.concurrency;
    const plugin = new FlockPlugin({
      flocks: options.flocks,
      ...(options.connection.payloadCodec ? { payloadCodec: options.connection.payloadCodec } : {}),
      workflowBundle: options.workflowBundlePath
        ? await loadWorkflowBundle(options.workflowBundlePath)
        : inlineSourceMap(
            await bundleFlockWorkflows({
              encodeFailures: codecEncrypts(options.connection.payloadCodec),
              tracing: options.workflowTracing ?? currentTelemetryOrNoop().enabled,
            }),
          ),
      ...(options.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
      ...(options.heartbeatThrottleMs !== undefined ? { heartbeatThrottleMs: options.heartbeatThrottleMs } : {}),
    });
    const worker = await Worker.create({
      connection,
      namespace: options.connection.namespace,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      ...(concurrency
        ? {
            maxConcurrentActivityTaskExecutions: concurrency,
            // the SDK needs two workflow slots for sticky execution
            maxConcurrentWorkflowTaskExecutions: Math.max(2, concurrency),
          }
        : {}),
      ...options.workerOptions,
      // activities, data converter, workflow code, tracing and tuning
      plugins: [plugin, ...(options.workerOptions?.plugins ?? [])],
    });
    let running: Promise<void> | undefined;
    return {
      worker,
      connection,
      run: () => {
        running ??= worker.run().finally(closeOwned);
        return running;
      },
      polling: async (timeoutMs = 10_000) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const state = worker.getState();
          if (state === 'RUNNING') return;
          if (state !== 'INITIALIZED' || Date.now() > deadline) {
            throw new Error(`Flock worker on ${worker.options.taskQueue} is ${state}, not polling`);
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      shutdown: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        if (running) await running;
        else await closeOwned();
      },
    };
  } catch (error) {
    await closeOwned();
    throw error;
  }
}
