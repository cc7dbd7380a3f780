import type { StepRecord } from '@flock-ts/core';
import type { Client } from '@temporalio/client';
import { readRunEvents } from './run-events';

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
 * the workflow. With `follow`, yields each step as it completes. A step
 * recorded call by call (`durability: 'call'`) is one record, yielded when
 * its last activity completes, its usage summed over its model calls. The
 * `step-completed` events of {@link readRunEvents}.
 *
 * @example
 * for await (const step of readStepLedger(client, workflowId, { follow: true })) console.log(step.agent, step.output);
 */
export async function* readStepLedger(client: Client, workflowId: string, options: StepLedgerOptions = {}): AsyncGenerator<StepRecord> {
  for await (const event of readRunEvents(client, workflowId, { ...options, text: false })) {
    if (event.type === 'step-completed') yield event.record;
  }
}
