/**
 * A long run of run engine v2 on whichever server the suite runs on (the
 * CLI dev server, or temporal-server on PostgreSQL with several history
 * shards): 1,000 steps of an agent whose output is ~1 KB, handing off to
 * itself by code, then a finishing agent, with the default continue-as-new
 * settings (a run continues at 4,000 events or 4 MB of history, or when
 * the server suggests it; no step limit). The run completes with the right
 * result, its chain has more than one run (two here: a step makes 6 events,
 * so the event limit ends the first run at step ~667), each run stays well
 * under Temporal's per-run limits (10,240 events, 10 MB of history), and a
 * late step's activity input is within 2x of an early one's: step payloads
 * do not grow with the run. The full-size figures (10,000 steps) are in
 * tools/bench/long-run.ts.
 */
import { Flock } from '@flock-ts/core';
import type { StepRequest } from '@flock-ts/engine';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import type { FlockRunsClient } from '../src/lib/runs-client';
import { uniqueQueue, workerHarness } from './harness';

jest.setTimeout(180_000);

const { EventType } = temporal.api.enums.v1;
type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Steps of the looping agent; the finishing agent makes one more. */
const STEPS = 1_000;
const PAYLOAD = 'x'.repeat(1024);
const EARLY_STEP = 10;
const LATE_STEP = 900;
/** Temporal's per-run limits: the server warns past these and ends runs somewhat later. */
const MAX_EVENTS_PER_RUN = 10_240;
const MAX_BYTES_PER_RUN = 10 * 1024 * 1024;

const { startWorker, clients } = workerHarness();
let runs: FlockRunsClient;
beforeAll(() => {
  runs = clients.runs;
});

/** One run of the chain: its id, history and the server's figures for it. */
interface ChainRun {
  runId: string;
  history: History;
  closedAs: string;
  events: number;
  bytes: number;
}

const eventsOf = (history: History): HistoryEvent[] => history.events ?? [];
const lastEvent = (history: History) => eventsOf(history)[eventsOf(history).length - 1];

/** How a history ended: the type of its last event, without the `EVENT_TYPE_` prefix. */
function closingEvent(history: History): string {
  return (EventType[lastEvent(history)?.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED] ?? 'unknown').replace(/^EVENT_TYPE_/, '');
}

/** One run of the chain, with the events and bytes the server reports for it (describe). */
async function chainRun(workflowId: string, runId: string): Promise<ChainRun> {
  const handle = runs.client.workflow.getHandle(workflowId, runId);
  const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
  return { runId, history, closedAs: closingEvent(history), events: description.historyLength, bytes: description.historySize ?? 0 };
}

/**
 * Every run of a finished workflow id's chain, oldest first, following each
 * history's continued-as-new event to the next run (no visibility query).
 */
async function chainOf(workflowId: string, firstRunId: string): Promise<ChainRun[]> {
  const chain: ChainRun[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const run = await chainRun(workflowId, runId);
    chain.push(run);
    runId = lastEvent(run.history)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    if (chain.length > 50) throw new Error(`the chain of ${workflowId} has more than 50 runs`);
  }
  return chain;
}

/** Encoded bytes of the activity input of step `step`, looked up in every run of the chain. */
async function inputBytesAt(chain: ChainRun[], step: number): Promise<number> {
  const converter = runs.client.options.loadedDataConverter;
  for (const { history } of chain) {
    for (const event of eventsOf(history)) {
      const payloads = event.activityTaskScheduledEventAttributes?.input?.payloads;
      if (event.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED || !payloads) continue;
      const request = await decodeFromPayloadsAtIndex<StepRequest>(converter, 0, payloads);
      if (request.step === step) return payloads[0]?.data?.byteLength ?? 0;
    }
  }
  throw new Error(`no activity input of step ${step} in the chain`);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

describe('a long run (run engine v2, default continue-as-new settings)', () => {
  const queue = uniqueQueue('long-run');
  const flock = new Flock({
    name: uniqueQueue('long-run'),
    maxIterations: STEPS + 10,
    temporalConfig: { taskQueue: queue },
    agents: [
      {
        name: 'looper',
        input: 'n: integer, payload: string',
        output: 'n: integer, payload: string',
        evaluate: ({ n }) => ({ n: (n as number) + 1, payload: PAYLOAD }),
        next: (_ctx, output) => ((output['n'] as number) < STEPS ? 'looper' : 'finish'),
      },
      { name: 'finish', input: 'n: integer', output: 'total: integer', evaluate: ({ n }) => ({ total: n as number }) },
    ],
  });

  it(`runs ${STEPS} steps of 1 KB output as a chain of runs that each stay under the per-run limits, with step inputs that do not grow`, async () => {
    await startWorker(flock, queue);
    const started = performance.now();
    const { workflowId, runId } = await runs.start(flock, { startAgent: 'looper', input: { n: 0, payload: PAYLOAD } });
    const result = await runs.result(workflowId);
    const seconds = (performance.now() - started) / 1000;
    expect(result).toMatchObject({ lastAgent: 'finish', output: { total: STEPS }, stepCount: STEPS + 1 });

    const chain = await chainOf(workflowId, runId);
    expect(chain.length).toBeGreaterThanOrEqual(2);
    expect(chain.map((run) => run.closedAs)).toEqual([...chain.slice(1).map(() => 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW'), 'WORKFLOW_EXECUTION_COMPLETED']);
    expect(new Set(chain.map((run) => run.runId)).size).toBe(chain.length);
    // describe's figures are the fetched histories' own
    expect(chain.map((run) => run.events)).toEqual(chain.map((run) => eventsOf(run.history).length));
    const maxEvents = Math.max(...chain.map((run) => run.events));
    const maxBytes = Math.max(...chain.map((run) => run.bytes));
    expect(maxEvents).toBeLessThan(MAX_EVENTS_PER_RUN);
    expect(Math.min(...chain.map((run) => run.bytes))).toBeGreaterThan(0);
    expect(maxBytes).toBeLessThan(MAX_BYTES_PER_RUN / 2);

    const early = await inputBytesAt(chain, EARLY_STEP);
    const late = await inputBytesAt(chain, LATE_STEP);
    // the input carries the 1 KB payload, and no more at step 900 than twice step 10's
    expect(early).toBeGreaterThan(PAYLOAD.length);
    expect(late).toBeLessThanOrEqual(2 * early);

    process.stdout.write(
      `\n[long-run] ${result.stepCount} steps in ${seconds.toFixed(1)} s (${((seconds * 1000) / result.stepCount).toFixed(1)} ms/step); ` +
        `${chain.length} runs in the chain (events per run: ${chain.map((run) => run.events).join(', ')}); ` +
        `max events per run ${maxEvents}, max history per run ${kb(maxBytes)} (${maxBytes} bytes); ` +
        `activity input step ${EARLY_STEP} = ${early} bytes, step ${LATE_STEP} = ${late} bytes (ratio ${(late / early).toFixed(3)})\n`,
    );
  });
});
