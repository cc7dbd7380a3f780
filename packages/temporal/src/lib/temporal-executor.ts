import { DEFAULT_TASK_QUEUE, type FlockDefinition } from '@flock-ts/config';
import type { FlockRunResult } from '@flock-ts/contracts';
import { OnStepError, type Flock, type FlockExecutor, type RunRequest, type RunResult, type StepRecord } from '@flock-ts/core';
import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import { resolveConnection, type ResolvedConnection } from './connection';
import { ensureFlockSearchAttributes } from './flock-search-attributes';
import {
  buildFlockWorkflowStart,
  connectFlockClient,
  flockRunWebUiUrl,
  startFlockWorkflow,
  toFlockRunFailedError,
  type FlockRunHandleInfo,
} from './run-start';
import { normalizeRunResult } from './runs-client';
import { readStepLedger } from './step-ledger';
import { traceFlockRun } from './tracing';
import { createFlockWorker } from './worker-factory';

/** Where a run lives on Temporal; attached to results as `temporal`. */
export type TemporalRunInfo = FlockRunHandleInfo;

/** A {@link RunResult} of a run executed on Temporal. */
export type TemporalRunResult = RunResult & { temporal: TemporalRunInfo };

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
        const handle = await startFlockWorkflow(client, start);
        const info: TemporalRunInfo = {
          workflowId: start.workflowId,
          runId: handle.firstExecutionRunId,
          namespace: connection.namespace,
          taskQueue: start.options.taskQueue,
          webUiUrl: flockRunWebUiUrl(connection, start.workflowId, handle.firstExecutionRunId),
        };
        return { ...(await awaitResult(client, handle, info, request)), temporal: info };
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

async function awaitResult(client: Client, handle: WorkflowHandle, info: TemporalRunInfo, request: RunRequest): Promise<FlockRunResult> {
  const following = request.onStep ? followSteps(client, info, request.onStep) : undefined;
  const onAbort = () => void handle.cancel().catch(() => undefined);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = normalizeRunResult(await handle.result());
    await following?.stop(true, result);
    return result;
  } catch (error) {
    await following?.stop(false);
    throw toFlockRunFailedError(error, info.workflowId, info.webUiUrl);
  } finally {
    request.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Feeds `onStep` from the run's step ledger as steps complete (a history
 * long-poll across continue-as-new, no query polling), each step once. A
 * callback that throws is not called again and does not change the run (as
 * locally): `stop(true)`, once the run has completed, waits until every step
 * was delivered and then throws an `OnStepError` carrying the result;
 * `stop(false)` just stops.
 */
function followSteps(client: Client, info: TemporalRunInfo, onStep: (step: StepRecord) => void) {
  const abort = new AbortController();
  let failure: { step: StepRecord; error: unknown } | undefined;
  let readError: unknown;
  const done = (async () => {
    try {
      for await (const step of readStepLedger(client, info.workflowId, { follow: true, runId: info.runId, signal: abort.signal })) {
        try {
          onStep(step);
        } catch (error) {
          failure = { step, error };
          return;
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) readError = error;
    }
  })();
  return {
    async stop(drain: boolean, result?: RunResult): Promise<void> {
      if (!drain) abort.abort();
      await done;
      if (!drain) return;
      if (failure) throw new OnStepError(failure.step.step, failure.step.agent, failure.error, result);
      if (readError !== undefined) throw readError;
    },
  };
}
