import { DEFAULT_TASK_QUEUE, type FlockDefinition } from '@flock-ts/config';
import type { Flock, FlockExecutor, RunRequest, RunResult } from '@flock-ts/core';
import type { Connection } from '@temporalio/client';
import { resolveConnection, type ResolvedConnection } from './connection';
import { ensureFlockSearchAttributes } from './flock-search-attributes';
import { InProcessWorkerStartError } from './errors';
import type { FlockWorkerFactory, InProcessWorkers, InProcessWorkersLease } from './in-process-workers';
import { buildFlockWorkflowStart, flockRunWebUiUrl, startFlockWorkflow, type FlockRunHandleInfo, type FlockWorkflowStart } from './run-start';
import { SharedFlockClient, TemporalFlockRun } from './temporal-run';
import { traceFlockRun } from './client-tracing';

/** Where a run lives on Temporal; attached to results as `temporal`. */
export type TemporalRunInfo = FlockRunHandleInfo;

/** A {@link RunResult} of a run executed on Temporal. */
export type TemporalRunResult = RunResult & { temporal: TemporalRunInfo };

/** Options of {@link TemporalExecutor}. */
export interface TemporalExecutorOptions {
  /**
   * With `temporalStartInProcessWorker`: how long a flock's in-process
   * workers stay up after its last run in flight ended, in ms (default
   * `IN_PROCESS_WORKER_IDLE_MS`, 1.5 s; `0`: at once). A run within that
   * time reuses them; running workers keep the process alive, so a script
   * that never calls `flock.close()` ends this long after its last run.
   */
  workerIdleShutdownMs?: number;
  /**
   * Makes each in-process worker (default `createFlockWorker`), e.g. to add
   * worker options. It gets the executor's `nativeConnection` and must not
   * close it.
   */
  createWorker?: FlockWorkerFactory;
}

/**
 * Runs a Flock as a `FlockWorkflow` on Temporal: what `flock.run()`,
 * `flock.start()`, `flock.getRun()` and `flock.close()` do for a flock
 * made with `executor: temporal()`. Handles read runs through a client
 * connected when needed and closed once idle. With
 * `temporalStartInProcessWorker`, the flock's runs are served by
 * long-lived workers in this process (see `InProcessWorkers`, loaded from
 * the worker entry by the first such run: a process that only starts and
 * reads runs never loads `@temporalio/worker`): started by the first run,
 * reused by later ones, and sharing one `NativeConnection` with the client
 * that starts the runs, so each run starts eagerly (its first workflow task
 * comes back in the start response: `result.temporal.eagerlyStarted`).
 * One executor may serve several flocks.
 *
 * @example
 * // longer-lived in-process workers for this flock
 * const flock = new Flock({ name: 'docs', temporalStartInProcessWorker: true, executor: temporal({ workerIdleShutdownMs: 10_000 }) });
 */
export class TemporalExecutor implements FlockExecutor<{ temporal: TemporalRunInfo }> {
  readonly kind = 'temporal';
  private readonly clients = new WeakMap<Flock, SharedFlockClient>();
  private readonly workers = new WeakMap<Flock, InProcessWorkers>();

  constructor(private readonly options: TemporalExecutorOptions = {}) {}

  /** Starts the run and waits for its result (`start` then `result()`); `onStep` and `signal` as locally. */
  async run(flock: Flock, request: RunRequest): Promise<TemporalRunResult> {
    const prepared = this.prepare(flock, request);
    return traceFlockRun(prepared.start, async () => {
      const { run, lease } = await this.launch(flock, prepared, request, false);
      try {
        return await run.result();
      } finally {
        await run.stop();
        lease?.release();
      }
    });
  }

  /**
   * Starts a run and returns its handle as soon as Temporal has it. With
   * `temporalStartInProcessWorker`, the flock's workers in this process
   * serve it (started first when they are not up) and stay up at least
   * until it has ended or its handle is stopped. Unknown agents and refused
   * input fail here, before anything starts; so does a worker start-up that
   * fails (`InProcessWorkerStartError`).
   */
  async start(flock: Flock, request: RunRequest): Promise<TemporalFlockRun<TemporalRunResult>> {
    const prepared = this.prepare(flock, request);
    return traceFlockRun(prepared.start, async () => (await this.launch(flock, prepared, request, true)).run);
  }

  /** The handle of a run by its workflow id (started by any process); nothing is checked until it is used. */
  getRun(flock: Flock, id: string): TemporalFlockRun {
    const clients = this.clientsOf(flock, resolveConnection(flock.toDefinition().temporalConfig));
    return new TemporalFlockRun(id, clients, { connection: clients.connection });
  }

  /**
   * Shuts the flock's in-process workers down now (running tasks finish
   * first) and closes its connections. Runs still open stay on Temporal and
   * go on once a worker polls their queue again; handles connect again when
   * used, and a later run starts new workers. Idempotent.
   */
  async close(flock: Flock): Promise<void> {
    await Promise.all([this.workers.get(flock)?.close(), this.clients.get(flock)?.close()]);
  }

  private prepare(flock: Flock, request: RunRequest): { definition: FlockDefinition; connection: ResolvedConnection; start: FlockWorkflowStart } {
    const definition = flock.toDefinition();
    const connection = resolveConnection(definition.temporalConfig);
    // unknown agents and invalid input fail here, before anything starts
    const start = buildFlockWorkflowStart(definition, request);
    return { definition, connection, start };
  }

  /**
   * Starts the run: on the shared client, or (in-process workers) eagerly on
   * the workers' connection, holding them until the run has ended when
   * `watch` is set (`start`), else until the caller releases the lease (`run`).
   */
  private async launch(
    flock: Flock,
    { definition, connection, start }: { definition: FlockDefinition; connection: ResolvedConnection; start: FlockWorkflowStart },
    request: RunRequest,
    watch: boolean,
  ): Promise<{ run: TemporalFlockRun<TemporalRunResult>; lease?: InProcessWorkersLease }> {
    const clients = this.clientsOf(flock, connection);
    const handleOf = (info: TemporalRunInfo, lease?: InProcessWorkersLease) =>
      new TemporalFlockRun<TemporalRunResult>(start.workflowId, clients, {
        connection,
        info,
        ...(lease && watch ? { workers: lease } : {}),
        ...(request.onStep ? { onStep: request.onStep } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    const infoOf = (runId: string, eagerlyStarted?: boolean): TemporalRunInfo => ({
      workflowId: start.workflowId,
      runId,
      namespace: connection.namespace,
      taskQueue: start.options.taskQueue,
      webUiUrl: flockRunWebUiUrl(connection, start.workflowId, runId),
      ...(eagerlyStarted === undefined ? {} : { eagerlyStarted }),
    });
    if (!definition.temporalStartInProcessWorker) {
      return clients.use(async (client) => {
        // cached per process and namespace: a lookup after the first run
        await ensureFlockSearchAttributes(client.connection as Connection, connection);
        const handle = await startFlockWorkflow(client, start);
        return { run: handleOf(infoOf(handle.firstExecutionRunId)) };
      });
    }
    // the workers registered Flock's search attributes when they started
    const taskQueues = inProcessTaskQueues(definition, start.options.taskQueue);
    const lease = await this.workersOf(flock, connection, taskQueues).acquire(taskQueues);
    try {
      const handle = await startFlockWorkflow(lease.client, start, { eager: true });
      return { run: handleOf(infoOf(handle.firstExecutionRunId, handle.eagerlyStarted), lease), lease };
    } catch (error) {
      lease.release();
      throw error;
    }
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

  /** One set of in-process workers per flock, started on first use. */
  private workersOf(flock: Flock, connection: ResolvedConnection, taskQueues: string[]): InProcessWorkers {
    let workers = this.workers.get(flock);
    if (!workers) {
      const { InProcessWorkers } = loadWorkerEntry(flock, connection, taskQueues);
      workers = new InProcessWorkers({
        flock,
        connection,
        ...(this.options.workerIdleShutdownMs !== undefined ? { idleShutdownMs: this.options.workerIdleShutdownMs } : {}),
        ...(this.options.createWorker ? { createWorker: this.options.createWorker } : {}),
      });
      this.workers.set(flock, workers);
    }
    return workers;
  }
}

/** The task queues a flock's in-process workers poll: the run's queue, the activity defaults' queue and every agent's own. */
export function inProcessTaskQueues(definition: FlockDefinition, runTaskQueue?: string): string[] {
  const queues = new Set([runTaskQueue || definition.temporalConfig.taskQueue || DEFAULT_TASK_QUEUE]);
  const defaultsQueue = definition.temporalConfig.activityDefaults?.taskQueue;
  if (defaultsQueue) queues.add(defaultsQueue);
  for (const agent of definition.agents) if (agent.temporalActivityConfig?.taskQueue) queues.add(agent.temporalActivityConfig.taskQueue);
  return [...queues];
}

/**
 * The executor of flocks that run durably on Temporal: pass it as
 * `executor` to `new Flock()` (it sets `enableTemporal`). Connection
 * settings come from the flock's `temporalConfig` over the environment.
 *
 * @example
 * import { Flock } from '@flock-ts/core';
 * import { temporal } from '@flock-ts/temporal';
 * const flock = new Flock({ name: 'docs', agents: [reader], executor: temporal() });
 */
export function temporal(options: TemporalExecutorOptions = {}): TemporalExecutor {
  return new TemporalExecutor(options);
}

/**
 * The in-process workers' module, from the worker side of this package: its
 * dependencies (`@temporalio/worker`, `@flock-ts/activities`,
 * `@flock-ts/workflows`) are optional peers, installed by whoever hosts workers.
 */
function loadWorkerEntry(flock: Flock, connection: ResolvedConnection, taskQueues: string[]): typeof import('./in-process-workers') {
  try {
    return require('./in-process-workers') as typeof import('./in-process-workers');
  } catch (error) {
    const missing = /Cannot find module '(@temporalio\/worker|@flock-ts\/activities|@flock-ts\/workflows)[^']*'/.exec(String((error as Error)?.message))?.[1];
    if (!missing) throw error;
    throw new InProcessWorkerStartError(
      flock.name,
      connection.address,
      connection.namespace,
      taskQueues,
      `temporalStartInProcessWorker needs ${missing}, which is not installed (npm install @temporalio/worker @flock-ts/activities @flock-ts/workflows)`,
      { cause: error },
    );
  }
}
