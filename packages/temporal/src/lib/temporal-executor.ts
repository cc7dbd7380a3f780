import { DEFAULT_TASK_QUEUE, type FlockDefinition } from '@flock-ts/config';
import {
  FLOCK_SEARCH_ATTRIBUTES,
  FlockFailureType,
  LATEST_WORKFLOW_VERSION,
  flockStatusQuery,
  flockWorkflowType,
  type FlockRunResult,
  type FlockWorkflowInput,
  type StepRecord,
} from '@flock-ts/contracts';
import type { Flock, FlockExecutor, RunRequest, RunResult } from '@flock-ts/core';
import { encodeFlockMemo, stripSecrets } from '@flock-ts/serialization';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { resolveConnection, type ResolvedConnection } from './connection';
import { flockDataConverter } from './data-converter';
import { FlockRunFailedError } from './errors';
import { ensureFlockSearchAttributes } from './flock-search-attributes';
import { webUiBaseUrl, webUiWorkflowLink } from './web-ui';
import { createFlockWorker } from './worker-factory';

/** Where a run lives on Temporal; attached to results as `temporal`. */
export interface TemporalRunInfo {
  workflowId: string;
  runId: string;
  namespace: string;
  taskQueue: string;
  webUiUrl?: string;
}

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
    const config = definition.temporalConfig;
    const connection = resolveConnection(config);
    const taskQueue = config.taskQueue ?? DEFAULT_TASK_QUEUE;
    flock.agent(request.startAgent); // unknown agents fail before anything starts

    const { client, conn } = await connectClient(connection);
    try {
      await ensureFlockSearchAttributes(conn, connection);
      const started = async () => startRun(client, definition, request, connection, taskQueue);
      if (!definition.temporalStartInProcessWorker) return await started();
      return await runWithInProcessWorkers(flock, definition, connection, taskQueue, started);
    } finally {
      await conn.close();
    }
  }
}

async function connectClient(connection: ResolvedConnection): Promise<{ client: Client; conn: Connection }> {
  const conn = await Connection.connect(connection.connectionOptions);
  return { conn, client: new Client({ connection: conn, namespace: connection.namespace, dataConverter: flockDataConverter() }) };
}

/** One in-process worker per task queue the flock's agents use, shut down whatever happens. */
async function runWithInProcessWorkers<T>(
  flock: Flock,
  definition: FlockDefinition,
  connection: ResolvedConnection,
  taskQueue: string,
  fn: () => Promise<T>,
): Promise<T> {
  const queues = new Set([taskQueue]);
  const defaultsQueue = definition.temporalConfig.activityDefaults?.taskQueue;
  if (defaultsQueue) queues.add(defaultsQueue);
  for (const agent of definition.agents) if (agent.temporalActivityConfig?.taskQueue) queues.add(agent.temporalActivityConfig.taskQueue);
  const workers = await Promise.all(
    [...queues].map((queue) => createFlockWorker({ connection, flocks: [flock], taskQueue: queue })),
  );
  const runs = workers.map((w) => w.run());
  try {
    return await fn();
  } finally {
    await Promise.all(workers.map((w) => w.shutdown()));
    await Promise.allSettled(runs);
  }
}

async function startRun(
  client: Client,
  definition: FlockDefinition,
  request: RunRequest,
  connection: ResolvedConnection,
  taskQueue: string,
): Promise<TemporalRunResult> {
  const version = definition.temporalConfig.workflowVersion ?? LATEST_WORKFLOW_VERSION;
  const runId = request.runId ?? randomUUID();
  const workflowId = `${definition.name}-${runId}`;
  const safeDefinition = stripSecrets(definition) as FlockDefinition;
  const input: FlockWorkflowInput = {
    definition: safeDefinition,
    startAgent: request.startAgent,
    input: request.input,
    runId,
    ...(request.sessionId ? { sessionId: request.sessionId } : {}),
  };
  const config = definition.temporalConfig;
  const handle = await client.workflow.start(flockWorkflowType(version), {
    taskQueue,
    workflowId,
    args: [input],
    memo: encodeFlockMemo(safeDefinition),
    typedSearchAttributes: [
      { key: FLOCK_SEARCH_ATTRIBUTES.FlockName, value: definition.name },
      { key: FLOCK_SEARCH_ATTRIBUTES.StartAgent, value: request.startAgent },
      ...(request.sessionId ? [{ key: FLOCK_SEARCH_ATTRIBUTES.SessionId, value: request.sessionId }] : []),
    ],
    workflowExecutionTimeout: config.workflowExecutionTimeout as never,
    workflowRunTimeout: config.workflowRunTimeout as never,
    workflowTaskTimeout: config.workflowTaskTimeout as never,
    staticSummary: `Flock ${definition.name} from ${request.startAgent}`,
  });
  const base = webUiBaseUrl(connection.address);
  const info: TemporalRunInfo = {
    workflowId,
    runId: handle.firstExecutionRunId,
    namespace: connection.namespace,
    taskQueue,
    webUiUrl: base ? webUiWorkflowLink(base, connection.namespace, workflowId, handle.firstExecutionRunId) : undefined,
  };
  const result = await awaitResult(handle, info, request);
  return { ...result, temporal: info };
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
    throw toRunFailedError(error, info);
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

function toRunFailedError(error: unknown, info: TemporalRunInfo): Error {
  if (!(error instanceof WorkflowFailedError)) return error as Error;
  const chain: Array<{ message?: string; type?: string; details?: unknown[]; cause?: unknown }> = [];
  for (let e: unknown = error.cause; e; e = (e as { cause?: unknown }).cause) chain.push(e as (typeof chain)[number]);
  const top = chain[0];
  const agent = (top?.details?.[0] as { agent?: string } | undefined)?.agent;
  const reason = top?.message ?? error.message;
  const where = info.webUiUrl ? ` (${info.webUiUrl})` : ` (workflow ${info.workflowId})`;
  return new FlockRunFailedError(`Flock run failed: ${reason}${where}`, info.workflowId, top?.type, agent, { cause: error });
}

export { FlockFailureType };
