/**
 * Histories the server under test makes today replay against today's
 * workflow code, whichever server the suite runs on (the CLI dev server,
 * or temporal-server on PostgreSQL with several history shards): runs of
 * every kind go to their end with an in-process worker, their histories
 * (every run of a continue-as-new chain) are fetched and replayed against
 * the workflow bundle, and each replay is checked by workflow id and run
 * id, so no test passes on zero replays. Recorded histories of released
 * versions replay in replay.spec.ts.
 */
import { Flock, type AgentOptions } from '@flock-ts/core';
import { temporal } from '@temporalio/proto';
import { Worker, type ReplayResult, type WorkflowBundle } from '@temporalio/worker';
import { flockDataConverter } from '../src/lib/data-converter';
import type { FlockRunsClient } from '../src/lib/runs-client';
import { flockWorkflowSinks } from '../src/lib/worker-tracing';
import { bundleFlockWorkflows, inlineSourceMap } from '../src/lib/workflow-bundle';
import { eventually, rejection, uniqueQueue, workerHarness } from './harness';

jest.setTimeout(60_000);

const { EventType } = temporal.api.enums.v1;
type History = temporal.api.history.v1.IHistory;

const { startWorker, clients } = workerHarness();
let runs: FlockRunsClient;
// the lean bundle (no OpenTelemetry interceptors), as the harness's workers run it when telemetry is off
let workflowBundle: WorkflowBundle;

beforeAll(async () => {
  runs = clients.runs;
  workflowBundle = inlineSourceMap(await bundleFlockWorkflows({ tracing: false }));
});

/** One run of a workflow id's chain: its run id, history and how it closed. */
interface ChainRun {
  runId: string;
  history: History;
  closedAs: string;
}

const eventsOf = (history: History) => history.events ?? [];
const lastEvent = (history: History) => eventsOf(history)[eventsOf(history).length - 1];

/** How a history ended: the type of its last event, without the `EVENT_TYPE_` prefix. */
function closingEvent(history: History): string {
  const last = lastEvent(history);
  return (EventType[last?.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED] ?? 'unknown').replace(/^EVENT_TYPE_/, '');
}

/**
 * Every run of a finished workflow id's chain, oldest first: follows each
 * history's continued-as-new event to the next run (no visibility query, so
 * nothing is eventually consistent here).
 */
async function chainOf(workflowId: string, firstRunId: string): Promise<ChainRun[]> {
  const chain: ChainRun[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history = await runs.client.workflow.getHandle(workflowId, runId).fetchHistory();
    chain.push({ runId, history, closedAs: closingEvent(history) });
    runId = lastEvent(history)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    if (chain.length > 20) throw new Error(`the chain of ${workflowId} has more than 20 runs`);
  }
  return chain;
}

/** Replays the histories against today's workflow bundle, one result per history. */
async function replay(workflowId: string, histories: History[]): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  const options = { workflowBundle, dataConverter: flockDataConverter(), sinks: flockWorkflowSinks() };
  const withIds = histories.map((history) => ({ workflowId, history }));
  for await (const result of Worker.runReplayHistories(options, withIds)) results.push(result);
  return results;
}

/** What a replay says, comparable with what the server ran: the ids and the error, if any. */
function outcomes(results: ReplayResult[]) {
  return results.map(({ workflowId, runId, error }) => ({ workflowId, runId, error: error ? `${error.name}: ${error.message}` : undefined }));
}

/** The outcomes of replaying every run of the chain. */
async function replayChain(workflowId: string, chain: ChainRun[]) {
  const histories = chain.map((run) => run.history);
  return outcomes(await replay(workflowId, histories));
}

/** The outcomes of a replay that went through for each run of the chain. */
function clean(workflowId: string, chain: ChainRun[]) {
  return chain.map(({ runId }) => ({ workflowId, runId, error: undefined }));
}

/** A copy of the history, changed by `change`. */
function tampered(history: History, change: (events: temporal.api.history.v1.IHistoryEvent[]) => void): History {
  const { History: HistoryMessage } = temporal.api.history.v1;
  const copy = HistoryMessage.decode(HistoryMessage.encode(history).finish());
  change(copy.events);
  return copy;
}

/**
 * Starts a run of a flock of `agents` on a task queue of its own, served by
 * an in-process worker of the harness; resolves with the run's ids.
 */
async function startRun(prefix: string, agents: AgentOptions[], request: { startAgent: string; input: Record<string, unknown> }, temporalConfig: object = {}) {
  const taskQueue = uniqueQueue(prefix);
  const flock = new Flock({ name: uniqueQueue(prefix), maxIterations: 50, temporalConfig: { taskQueue, ...temporalConfig }, agents });
  await startWorker(flock, taskQueue);
  return runs.start(flock, request);
}

const handOffs = (): AgentOptions[] => [
  {
    name: 'plan',
    input: 'topic: string',
    output: 'outline: string[]',
    evaluate: ({ topic }) => ({ outline: [`${String(topic)}: intro`, `${String(topic)}: body`] }),
    next: 'write',
  },
  {
    name: 'write',
    input: 'outline: string[]',
    output: 'draft: string',
    evaluate: ({ outline }, ctx) => {
      const round = (ctx.getVariable<number>('round') ?? 0) + 1;
      ctx.setVariable('round', round);
      return { draft: `${(outline as string[]).join(' / ')} (round ${round})` };
    },
    next: 'review',
  },
  {
    name: 'review',
    input: 'draft: string',
    output: 'draft: string, ok: boolean',
    evaluate: ({ draft }, ctx) => ({ draft, ok: (ctx.getVariable<number>('round') ?? 0) >= 2 }),
    // a hand-off in code: back to the planner once, then on to publish
    next: (ctx, output) => (output['ok'] ? 'publish' : ctx.getVariable<number>('round') === 1 ? 'plan' : null),
  },
  { name: 'publish', input: 'draft: string', output: 'url: string', evaluate: ({ draft }) => ({ url: `https://example.invalid/${encodeURIComponent(String(draft))}` }) },
];

describe("live histories replay against today's workflow code", () => {
  it('replays a multi-agent code flock with hand-offs, a loop and variables', async () => {
    const { workflowId, runId } = await startRun('replay-handoffs', handOffs(), { startAgent: 'plan', input: { topic: 'tides' } });
    const result = await runs.result(workflowId);
    expect(result.steps.map((s) => s.agent)).toEqual(['plan', 'write', 'review', 'plan', 'write', 'review', 'publish']);
    expect(result).toMatchObject({ lastAgent: 'publish', stepCount: 7, variables: { round: 2 } });

    const chain = await chainOf(workflowId, runId);
    expect(chain.map((run) => run.closedAs)).toEqual(['WORKFLOW_EXECUTION_COMPLETED']);
    expect(await replayChain(workflowId, chain)).toEqual(clean(workflowId, chain));
  });

  it('replays every run of a chain that continued as new', async () => {
    const counter: AgentOptions = {
      name: 'count',
      input: 'n: integer',
      output: 'n: integer',
      context: { history: 2 },
      evaluate: ({ n }) => ({ n: (n as number) + 1 }),
      next: (_ctx, output) => ((output['n'] as number) < 7 ? 'count' : null),
    };
    // a run of the chain holds 2 steps at most: 7 steps make 4 runs
    const { workflowId, runId } = await startRun('replay-can', [counter], { startAgent: 'count', input: { n: 0 } }, { continueAsNew: { maxSteps: 2 } });
    await expect(runs.result(workflowId)).resolves.toMatchObject({ output: { n: 7 }, stepCount: 7 });

    const chain = await chainOf(workflowId, runId);
    expect(chain.map((run) => run.closedAs)).toEqual([
      'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
      'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
      'WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
    expect(new Set(chain.map((run) => run.runId)).size).toBe(4);
    expect(await replayChain(workflowId, chain)).toEqual(clean(workflowId, chain));
  });

  it('replays a run that waited for a person and was answered (the flock.respond update)', async () => {
    const agents: AgentOptions[] = [
      { name: 'ask', input: 'question: string', output: 'verdict: string, score: integer', human: { prompt: 'Ship it?' }, next: 'finish' },
      {
        name: 'finish',
        input: 'verdict: string, score: integer',
        output: 'summary: string',
        evaluate: ({ verdict, score }) => ({ summary: `${String(verdict)}/${String(score)}` }),
      },
    ];
    const { workflowId, runId } = await startRun('replay-person', agents, { startAgent: 'ask', input: { question: 'release?' } });
    await eventually(async () => ((await runs.status(workflowId)).phase === 'waiting' ? true : undefined));
    // a refused answer never enters history; the accepted one does
    expect(await rejection(runs.respond(workflowId, { output: { verdict: 'yes', score: 'high' } }))).toMatchObject({ name: 'InvalidResponseError' });
    expect(await runs.respond(workflowId, { output: { verdict: 'yes', score: 3 }, by: 'ana' })).toEqual({ agent: 'ask', step: 0, kind: 'input' });
    await expect(runs.result(workflowId)).resolves.toMatchObject({ output: { summary: 'yes/3' }, stepCount: 2 });

    const chain = await chainOf(workflowId, runId);
    expect(chain.map((run) => run.closedAs)).toEqual(['WORKFLOW_EXECUTION_COMPLETED']);
    const updates = eventsOf(chain[0].history).filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    expect(updates.map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)).toEqual(['flock.respond']);
    expect(await replayChain(workflowId, chain)).toEqual(clean(workflowId, chain));
  });

  it('replays a run that failed on an agent throwing a non-retryable error', async () => {
    let attempts = 0;
    const agents: AgentOptions[] = [
      { name: 'first', input: 'x: string', output: 'x: string', evaluate: ({ x }) => ({ x }), next: 'broken' },
      {
        name: 'broken',
        input: 'x: string',
        output: 'y: string',
        evaluate: () => {
          attempts += 1;
          throw Object.assign(new Error('disk on fire'), { name: 'DiskError', nonRetryable: true });
        },
      },
    ];
    const { workflowId, runId } = await startRun('replay-failed', agents, { startAgent: 'first', input: { x: 'a' } });
    expect(await rejection(runs.result(workflowId))).toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'broken' });
    expect(attempts).toBe(1);

    const chain = await chainOf(workflowId, runId);
    expect(chain.map((run) => run.closedAs)).toEqual(['WORKFLOW_EXECUTION_FAILED']);
    expect(await replayChain(workflowId, chain)).toEqual(clean(workflowId, chain));
  });

  it('replays a run cancelled while its step ran (the step saw ctx.signal abort)', async () => {
    const aborted: boolean[] = [];
    const agents: AgentOptions[] = [
      { name: 'first', input: 'x: string', output: 'x: string', evaluate: ({ x }) => ({ x }), next: 'slow' },
      {
        name: 'slow',
        input: 'x: string',
        output: 'x: string',
        evaluate: (_inputs, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal?.addEventListener('abort', () => (aborted.push(true), reject(ctx.signal?.reason)), { once: true });
          }),
      },
    ];
    const { workflowId, runId } = await startRun('replay-cancel', agents, { startAgent: 'first', input: { x: 'a' } });
    await eventually(async () => ((await runs.status(workflowId)).currentAgent === 'slow' ? true : undefined));
    expect(await runs.cancel(workflowId, { waitMs: 15_000 })).toBe('cancelled');
    expect(aborted).toEqual([true]);

    const chain = await chainOf(workflowId, runId);
    expect(chain.map((run) => run.closedAs)).toEqual(['WORKFLOW_EXECUTION_CANCELED']);
    expect(eventsOf(chain[0].history).map((event) => event.eventType)).toContain(EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED);
    expect(await replayChain(workflowId, chain)).toEqual(clean(workflowId, chain));
  });

  describe('a tampered copy of a live history fails to replay (a replay runs the code, it does not only read the history)', () => {
    let workflowId: string;
    let runId: string;
    let history: History;
    beforeAll(async () => {
      const echo: AgentOptions = { name: 'echo', input: 'x: string', output: 'x: string', evaluate: ({ x }) => ({ x }) };
      ({ workflowId, runId } = await startRun('replay-tampered', [echo], { startAgent: 'echo', input: { x: 'a' } }));
      await runs.result(workflowId);
      [{ history }] = await chainOf(workflowId, runId);
    });

    it("reports the run replayed as another workflow type's code (contract v1's FlockWorkflow) as nondeterminism", async () => {
      const asV1 = tampered(history, (events) => {
        const type = events[0]?.workflowExecutionStartedEventAttributes?.workflowType;
        if (type?.name !== 'FlockWorkflowV2') throw new Error(`the history does not start a FlockWorkflowV2 run (${String(type?.name)})`);
        type.name = 'FlockWorkflow';
      });
      expect(outcomes(await replay(workflowId, [asV1]))).toEqual([{ workflowId, runId, error: expect.stringMatching(/^DeterminismViolationError: .*Nondeterminism error/) }]);
    });

    it('reports a step the code did not schedule as nondeterminism', async () => {
      const renamed = tampered(history, (events) => {
        const type = events.find((event) => event.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes?.activityType;
        if (!type?.name) throw new Error('the history schedules no activity');
        type.name = `${type.name}Elsewhere`;
      });
      expect(outcomes(await replay(workflowId, [renamed]))).toEqual([{ workflowId, runId, error: expect.stringMatching(/^DeterminismViolationError: .*runAgentStepElsewhere/) }]);
    });
  });
});
