import { DEFAULT_TASK_QUEUE, type FlockDefinition } from '@flock-ts/config';
import { flockStatusQuery, type FlockRunResult, type StepRecord } from '@flock-ts/contracts';
import type { Flock, FlockExecutor, RunRequest, RunResult } from '@flock-ts/core';
import type { Connection, WorkflowHandle } from '@temporalio/client';
import { resolveConnection, type ResolvedConnection } from './connection';
import { ensureFlockSearchAttributes } from './flock-search-attributes';
import {
  buildFlockWorkflowStart,
  connectFlockClient,
  flockRunWebUiUrl,
  toFlockRunFailedError,
  type FlockRunHandleInfo,
} from './run-start';
import { traceFlockRun } from './tracing';
import { createFlockWorker } from './worker-factory';

/** Where a run lives on Temporal; attached to results as `temporal`. */
export type TemporalRunInfo = FlockRunHandleInfo;

/** A {@link RunResult} of a run executed on Temporal. */
export type TemporalRunResult = RunResult & { temporal: TemporalRunInfo };

/** How often `onStep` callers are fed from the status query while a run is in flight. */
const STEP_POLL_MS = 200;

/**
 * Runs a Flock as a `FlockWorkflow` on Temporal: what `flock.run()` does
 * when `enableTemporal` is set and `@flock-ts/temporal` is imported.
 */
export class TemporalExecutor implements FlockExecutor {
  async run(flock: Flock, request: RunRequest): Promise<TemporalRunResult> {
    const definition = flock.toDefinition();
    const connection = resolveConnection(definition.temporalConfig);
    // unknown agents and invalid input fail here, before anything starts
    const start = buildFlockWorkflowStart(definition, request);
    const client = await connectFlockClient(connection);
    try {
      await ensureFlockSearchAttributes(client.connection as Connection, connection);
      const run = async (): Promise<TemporalRunResult> => {
        const handle = await client.workflow.start(start.workflowType, start.options);
        const info: TemporalRunInfo = {
          workflowId: start.workflowId,
          runId: handle.firstExecutionRunId,
          namespace: connection.namespace,
          taskQueue: start.options.taskQueue,
          webUiUrl: flockRunWebUiUrl(connection, start.workflowId, handle.firstExecutionRunId),
        };
        return { ...(await awaitResult(handle, info, request)), temporal: info };
      };
      const traced = () => traceFlockRun(start, run);
      if (!definition.temporalStartInProcessWorker) return await traced();
      return await runWithInProcessWorkers(flock, definition, connection, start.options.taskQueue, traced);
    } finally {
      await client.connection.close();
    }
  }
}

/** One in-process worker per task queue the flock's agents use, shut down whatever happens. */
async function runWithInProcessWorkers<T>(
  flock: Flock,
  definition: FlockDefinition,
  connection: ResolvedConnection,
  taskQueue: string,
  fn: () => Promise<T>,
): Promise<T> {
  const queues = new Set([taskQueue || DEFAULT_TASK_QUEUE]);
  const defaultsQueue = definition.temporalConfig.activityDefaults?.taskQueue;
  if (defaultsQueue) queues.add(defaultsQueue);
  for (const agent of definition.agents) if (agent.temporalActivityConfig?.taskQueue) queues.add(agent.temporalActivityConfig.taskQueue);
  const workers = await Promise.all(
    [...queues].map((queue) => createFlockWorker({ connection, flocks: [flock], taskQueue: queue })),
  );
  const runs = workers.map((w) => w.run());
  try {
    await Promise.all(workers.map((w) => w.polling()));
    return await fn();
  } finally {
    await Promise.all(workers.map((w) => w.shutdown()));
    await Promise.allSettled(runs);
  }
}

async function awaitResult(handle: WorkflowHandle, info: TemporalRunInfo, request: RunRequest): Promise<FlockRunResult> {
  const stopFollowing = request.onStep ? followSteps(handle, request.onStep) : undefined;
  const onAbort = () => void handle.cancel().catch(() => undefined);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = (await handle.result()) as FlockRunResult;
    await stopFollowing?.(result.steps);
    return result;
  } catch (error) {
    await stopFollowing?.();
    throw toFlockRunFailedError(error, info.workflowId, info.webUiUrl);
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
  }
}

/** Feeds `onStep` from the status query; on completion, from the final result so no step is missed. */
function followSteps(handle: WorkflowHandle, onStep: (step: StepRecord) => void): (final?: StepRecord[]) => Promise<void> {
  let seen = 0;
  let stopped = false;
  const emit = (steps: StepRecord[]) => {
    for (; seen < steps.length; seen++) onStep(steps[seen]);
  };
  const loop = (async () => {
    while (!stopped) {
      try {
        const status = await handle.query(flockStatusQuery);
        if (!stopped) emit(status.history);
      } catch {
        // the run may not have had its first workflow task yet, or has just closed
      }
      await new Promise((resolve) => setTimeout(resolve, STEP_POLL_MS));
    }
  })();
  return async (final) => {
    stopped = true;
    await loop;
    if (final) emit(final);
  };
}
