import { DEFAULT_TASK_QUEUE, type FlockDefinition } from '@flock-ts/config';
import type { Flock, FlockExecutor, RunRequest, RunResult } from '@flock-ts/core';
import type { Connection } from '@temporalio/client';
import { resolveConnection, type ResolvedConnection } from './connection';
import { ensureFlockSearchAttributes } from './flock-search-attributes';
import { buildFlockWorkflowStart, flockRunWebUiUrl, startFlockWorkflow, type FlockRunHandleInfo, type FlockWorkflowStart } from './run-start';
import { SharedFlockClient, TemporalFlockRun } from './temporal-run';
import { traceFlockRun } from './tracing';
import { createFlockWorker, type FlockWorker } from './worker-factory';

/** Where a run lives on Temporal; attached to results as `temporal`. */
export type TemporalRunInfo = FlockRunHandleInfo;

/** A {@link RunResult} of a run executed on Temporal. */
export type TemporalRunResult = RunResult & { temporal: TemporalRunInfo };

/**
 * Runs a Flock as a `FlockWorkflow` on Temporal: what `flock.run()`,
 * `flock.start()` and `flock.getRun()` do when `enableTemporal` is set and
 * `@flock-ts/temporal` is imported. Handles connect when they need to and
 * close their connection once idle.
 */
export class TemporalExecutor implements FlockExecutor {
  private readonly clients = new WeakMap<Flock, SharedFlockClient>();

  /** Starts the run and waits for its result (`start` then `result()`); `onStep` and `signal` as locally. */
  async run(flock: Flock, request: RunRequest): Promise<TemporalRunResult> {
    const prepared = this.prepare(flock, request);
    return traceFlockRun(prepared.start, async () => {
      const run = await this.launch(flock, prepared, request);
      try {
        return (await run.result()) as TemporalRunResult;
      } finally {
        await run.stop();
      }
    });
  }

  /**
   * Starts a run and returns its handle as soon as Temporal has it. With
   * `temporalStartInProcessWorker`, workers in this process serve it until
   * it ends, then shut down. Unknown agents and refused input fail here,
   * before anything starts.
   */
  async start(flock: Flock, request: RunRequest): Promise<TemporalFlockRun> {
    const prepared = this.prepare(flock, request);
    return traceFlockRun(prepared.start, () => this.launch(flock, prepared, request));
  }

  /** The handle of a run by its workflow id (started by any process); nothing is checked until it is used. */
  getRun(flock: Flock, id: string): TemporalFlockRun {
    const clients = this.clientsOf(flock, resolveConnection(flock.toDefinition().temporalConfig));
    return new TemporalFlockRun(id, clients, { connection: clients.connection });
  }

  private prepare(flock: Flock, request: RunRequest): { definition: FlockDefinition; connection: ResolvedConnection; start: FlockWorkflowStart } {
    const definition = flock.toDefinition();
    const connection = resolveConnection(definition.temporalConfig);
    // unknown agents and invalid input fail here, before anything starts
    const start = buildFlockWorkflowStart(definition, request);
    return { definition, connection, start };
  }

  private async launch(
    flock: Flock,
    { definition, connection, start }: { definition: FlockDefinition; connection: ResolvedConnection; start: FlockWorkflowStart },
    request: RunRequest,
  ): Promise<TemporalFlockRun> {
    const clients = this.clientsOf(flock, connection);
    return clients.use(async (client) => {
      await ensureFlockSearchAttributes(client.connection as Connection, connection);
      const workers = definition.temporalStartInProcessWorker ? await startInProcessWorkers(flock, definition, connection, start.options.taskQueue) : undefined;
      let handle;
      try {
        handle = await startFlockWorkflow(client, start);
      } catch (error) {
        await workers?.shutdown();
        throw error;
      }
      const info: TemporalRunInfo = {
        workflowId: start.workflowId,
        runId: handle.firstExecutionRunId,
        namespace: connection.namespace,
        taskQueue: start.options.taskQueue,
        webUiUrl: flockRunWebUiUrl(connection, start.workflowId, handle.firstExecutionRunId),
      };
      return new TemporalFlockRun(start.workflowId, clients, {
        connection,
        info,
        ...(workers ? { workers } : {}),
        ...(request.onStep ? { onStep: request.onStep } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    });
  }

  /** One lazily connected client per flock, shared by its handles. */
  private clientsOf(flock: Flock, connection: ResolvedConnection): SharedFlockClient {
    let clients = this.clients.get(flock);
    if (!clients) {
      clients = new SharedFlockClient(connection);
      this.clients.set(flock, clients);
    }
    return clients;
  }
}

/** One in-process worker per task queue the flock's agents use, polling before this returns. */
async function startInProcessWorkers(flock: Flock, definition: FlockDefinition, connection: ResolvedConnection, taskQueue: string): Promise<{ shutdown(): Promise<void> }> {
  const queues = new Set([taskQueue || DEFAULT_TASK_QUEUE]);
  const defaultsQueue = definition.temporalConfig.activityDefaults?.taskQueue;
  if (defaultsQueue) queues.add(defaultsQueue);
  for (const agent of definition.agents) if (agent.temporalActivityConfig?.taskQueue) queues.add(agent.temporalActivityConfig.taskQueue);
  const created = await Promise.allSettled([...queues].map((queue) => createFlockWorker({ connection, flocks: [flock], taskQueue: queue })));
  const workers = created.filter((c): c is PromiseFulfilledResult<FlockWorker> => c.status === 'fulfilled').map((c) => c.value);
  const runs = workers.map((w) => w.run());
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      await Promise.all(workers.map((w) => w.shutdown().catch(() => undefined)));
      await Promise.allSettled(runs);
    })());
  const failed = created.find((c): c is PromiseRejectedResult => c.status === 'rejected');
  try {
    if (failed) throw failed.reason;
    await Promise.all(workers.map((w) => w.polling()));
  } catch (error) {
    await shutdown();
    throw error;
  }
  return { shutdown };
}
