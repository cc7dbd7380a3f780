import { ACTIVITY_TYPES, type EvaluateAgentOutput, type StepRecordV1 } from '@flock-ts/contracts';
import type { HandoffSpec } from '@flock-ts/config';
import type { StepRecord, StepRequest, StepResult } from '@flock-ts/core';
import { decodeFlockMemo } from '@flock-ts/serialization';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

/** Options of {@link readStepLedger}. */
export interface StepLedgerOptions {
  /** Keep reading while the run goes on (long-polls the history; no query polling). Default: stop at the end of the recorded history. */
  follow?: boolean;
  /** Any run id of the chain (default: the latest run of the workflow id). */
  runId?: string;
  /** Stops following. */
  signal?: AbortSignal;
}

/**
 * The step ledger of a Flock run on Temporal: every finished step, whole
 * (inputs, output, usage, timestamps), oldest first, read from the run's
 * history across its continue-as-new chain. A run's result and status keep
 * only the latest steps; this reads all of them on demand, at no cost to
 * the workflow. With `follow`, yields each step as it completes.
 *
 * @example
 * for await (const step of readStepLedger(client, workflowId, { follow: true })) console.log(step.agent, step.output);
 */
export async function* readStepLedger(client: Client, workflowId: string, options: StepLedgerOptions = {}): AsyncGenerator<StepRecord> {
  const converter = client.options.loadedDataConverter;
  let runId: string | undefined = await firstRunOf(client, workflowId, options.runId);
  const handoffs = await handoffsOf(client, workflowId);
  let step = 0;
  while (runId) {
    const scheduled = new Map<string, { type: string; request: unknown }>();
    let nextRun: string | undefined;
    for await (const event of historyOf(client, workflowId, runId, options)) {
      const type = event.eventType;
      if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        const attributes = event.activityTaskScheduledEventAttributes;
        const activityType = attributes?.activityType?.name ?? '';
        if (activityType !== ACTIVITY_TYPES.runAgentStep && activityType !== ACTIVITY_TYPES.evaluateAgent) continue;
        scheduled.set(String(event.eventId), { type: activityType, request: await decodeFromPayloadsAtIndex(converter, 0, attributes?.input?.payloads) });
      } else if (type === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const attributes = event.activityTaskCompletedEventAttributes;
        const origin = scheduled.get(String(attributes?.scheduledEventId));
        if (!origin) continue;
        const result = await decodeFromPayloadsAtIndex(converter, 0, attributes?.result?.payloads);
        yield origin.type === ACTIVITY_TYPES.runAgentStep
          ? toRecord(origin.request as StepRequest, result as StepResult, handoffs)
          : { step, ...((result as EvaluateAgentOutput).record as StepRecordV1) };
        step++;
      } else if (type === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) {
        nextRun = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      }
    }
    runId = nextRun;
  }
}

/** Each agent's hand-off in the run's definition (from the memo): static ones are decided in the workflow, not in the step. */
async function handoffsOf(client: Client, workflowId: string): Promise<Map<string, HandoffSpec | undefined>> {
  try {
    const { memo } = await client.workflow.getHandle(workflowId).describe();
    return new Map(decodeFlockMemo(memo).agents.map((agent) => [agent.name, agent.next]));
  } catch {
    return new Map();
  }
}

function toRecord(request: StepRequest, result: StepResult, handoffs: Map<string, HandoffSpec | undefined>): StepRecord {
  const record: StepRecord = { step: request.step, agent: request.agent, inputs: request.inputs, output: result.output, startedAt: result.startedAt, finishedAt: result.finishedAt };
  if (result.attempt !== undefined) record.attempt = result.attempt;
  if (result.usage) record.usage = result.usage;
  if (result.routingUsage) record.routingUsage = result.routingUsage;
  if (result.nextAgent !== undefined) record.nextAgent = result.nextAgent;
  else if (handoffs.has(request.agent)) {
    const next = handoffs.get(request.agent);
    record.nextAgent = next === undefined ? null : next.kind === 'static' ? next.agent : undefined;
  }
  return record;
}

/** The first run of the chain a run belongs to (every run's start event names it). */
async function firstRunOf(client: Client, workflowId: string, runId?: string): Promise<string> {
  let response;
  try {
    response = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId, ...(runId ? { runId } : {}) },
      maximumPageSize: 1,
    });
  } catch (error) {
    // as result() and status() report it
    if ((error as { code?: number }).code === 5) throw new WorkflowNotFoundError(`No run with workflow id ${workflowId}`, workflowId, runId);
    throw error;
  }
  const started = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes;
  const first = started?.firstExecutionRunId || runId;
  if (first) return first;
  const description = await client.workflow.getHandle(workflowId).describe();
  return description.runId;
}

const CLOSING = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

/** The events of one run, page after page; with `follow`, long-polls for new ones until the run closes. */
async function* historyOf(client: Client, workflowId: string, runId: string, options: StepLedgerOptions): AsyncGenerator<HistoryEvent> {
  let nextPageToken: Uint8Array | undefined;
  for (;;) {
    if (options.signal?.aborted) return;
    const response = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId, runId },
      nextPageToken,
      waitNewEvent: options.follow === true,
    });
    let closed = false;
    for (const event of response.history?.events ?? []) {
      yield event;
      if (event.eventType !== null && event.eventType !== undefined && CLOSING.has(event.eventType)) closed = true;
    }
    nextPageToken = response.nextPageToken?.length ? response.nextPageToken : undefined;
    if (closed) return;
    if (!nextPageToken && !options.follow) return;
  }
}
