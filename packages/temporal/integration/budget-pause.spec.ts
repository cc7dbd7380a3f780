/**
 * Budgets that pause (`onExceeded: 'pause'`) on Temporal, with model agents
 * against the OpenAI-compatible stand-in over HTTP and in-process workers:
 * a crossing pauses the run for a person instead of failing it (after the
 * step that crossed it; in durability 'call', between the model call that
 * crossed it and the next call), status and events say what was crossed,
 * a resume that does not raise the limit is refused and never enters
 * history, and a resume with a higher limit lets the run complete without
 * repeating a model call.
 */
import { Flock, defineAgent, defineTool, type FlockRunEvent } from '@flock-ts/core';
import { modelEvaluator } from '@flock-ts/llm';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn, type StandInReply, type StandInRequest } from '@flock-ts/llm/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { flockDataConverter } from '../src/lib/data-converter';
import { FlockRunsClient } from '../src/lib/runs-client';
import { readRunEvents } from '../src/lib/run-events';
import { flockWorkflowSinks } from '../src/lib/worker-tracing';
import { bundleFlockWorkflows, inlineSourceMap } from '../src/lib/workflow-bundle';
import { eventually, rejection, testServer, uniqueQueue, workerHarness } from './harness';
import { rawRun } from './support/raw-history';

jest.setTimeout(60_000);

const { EventType } = temporal.api.enums.v1;
const { startWorker, clients } = workerHarness();
let runs: FlockRunsClient;
let server: OpenAICompatibleStandIn;
const savedBaseUrl = process.env['FLOCK_OPENAI_BASE_URL'];

beforeAll(() => {
  runs = clients.runs;
});

beforeEach(async () => {
  // a stand-in of its own per test: its requests are this test's model calls
  await server?.close();
  server = await startOpenAICompatibleStandIn();
  process.env['FLOCK_OPENAI_BASE_URL'] = server.baseUrl;
});

afterAll(async () => {
  if (savedBaseUrl === undefined) delete process.env['FLOCK_OPENAI_BASE_URL'];
  else process.env['FLOCK_OPENAI_BASE_URL'] = savedBaseUrl;
  await server?.close();
});

const toolResults = (request: StandInRequest) => ((request.body['messages'] ?? []) as Array<{ role?: string }>).filter((message) => message.role === 'tool').length;

/** Two rounds of tool calls (45 tokens each), then the answer (70 tokens): three model calls in one step. */
const researcher: StandInReply = (request) =>
  toolResults(request) < 2
    ? { toolCalls: [{ name: 'lookup', args: { term: `term-${toolResults(request) + 1}` } }], usage: { promptTokens: 40, completionTokens: 5 } }
    : { output: { notes: 'durable workflows survive crashes' }, usage: { promptTokens: 60, completionTokens: 10 } };

/** A draft of 70 tokens. */
const draft: StandInReply = { output: { draft: 'a draft' }, usage: { promptTokens: 40, completionTokens: 30 } };

const lookups: string[] = [];
const lookup = defineTool({
  name: 'lookup',
  description: 'Looks a term up',
  input: 'term: string',
  execute: ({ term }) => (lookups.push(String(term)), `${String(term)}: a definition`),
});

async function acceptedUpdates(workflowId: string): Promise<string[]> {
  const { address, namespace } = testServer();
  const { events } = await rawRun(address, namespace, workflowId);
  return events
    .filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    .map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? '');
}

async function activityTypes(workflowId: string): Promise<string[]> {
  const { address, namespace } = testServer();
  const { events } = await rawRun(address, namespace, workflowId);
  return events.flatMap((event) => (event.activityTaskScheduledEventAttributes?.activityType?.name ? [event.activityTaskScheduledEventAttributes.activityType.name] : []));
}

/** The Web UI's current details of the run (what `setCurrentDetails` wrote). */
async function currentDetails(workflowId: string): Promise<string | undefined> {
  const metadata = await runs.client.workflow.getHandle(workflowId).query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails;
}

async function paused(workflowId: string) {
  return eventually(async () => {
    const view = await runs.status(workflowId);
    return view.phase === 'paused' && view.budgetExceeded ? view : undefined;
  });
}

async function events(workflowId: string): Promise<FlockRunEvent[]> {
  const seen: FlockRunEvent[] = [];
  for await (const event of readRunEvents(runs.client, workflowId)) seen.push(event);
  return seen;
}

const replayBundle = () => bundleFlockWorkflows({ tracing: false }).then(inlineSourceMap);
let bundle: ReturnType<typeof replayBundle> | undefined;

/** Replays the run's history against today's workflow code: a pause and resume are deterministic. */
async function replays(workflowId: string): Promise<void> {
  bundle ??= replayBundle();
  const history = await runs.client.workflow.getHandle(workflowId).fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: await bundle, dataConverter: flockDataConverter(), sinks: flockWorkflowSinks() }, history, workflowId);
}

function outline(seen: FlockRunEvent[]): string[] {
  return seen.map((event) => (event.type === 'step-started' ? `started ${event.agent}` : event.type === 'step-completed' ? `completed ${event.record.agent}` : event.type));
}

describe("budgets with onExceeded: 'pause' on Temporal (OpenAI-compatible stand-in over HTTP)", () => {
  it('pauses after the step that crossed the run budget, refuses a resume that does not raise it, and completes once resumed with a higher limit', async () => {
    server.reply(draft, draft, draft);
    const queue = uniqueQueue('budget-pause');
    const writer = (name: string, next?: string) =>
      defineAgent({
        name,
        input: 'topic: string',
        output: 'draft: string',
        evaluator: modelEvaluator({ model: 'openai-compatible:writer-model' }),
        ...(next ? { next } : {}),
      });
    const flock = new Flock({
      name: uniqueQueue('budget-pause'),
      temporalConfig: { taskQueue: queue },
      budget: { maxTokens: 100, onExceeded: 'pause' },
      agents: [writer('drafter', 'reviser'), writer('reviser', 'finisher'), writer('finisher')],
    });
    await startWorker(flock, queue);
    const { workflowId } = await runs.start(flock, { startAgent: 'drafter', input: { topic: 'tides' } });

    // the reviser's step took the run to 140 tokens: it finished, the finisher waits
    const crossing = { agent: 'reviser', limit: 'maxTokens', scope: 'run', used: 140, max: 100 };
    const view = await paused(workflowId);
    expect(view).toMatchObject({ phase: 'paused', executionStatus: 'RUNNING', stepsDone: 2, pauseRequested: true, budgetExceeded: crossing, budget: { maxTokens: 100 } });
    expect(server.requests).toHaveLength(2);
    expect(await currentDetails(workflowId)).toBe(
      '**Paused by its budget**: agent "reviser" crossed the run\'s token budget: 140 tokens used, maxTokens is 100\n\n' +
        'Go on with a higher limit: flockctl resume <workflowId> --max-tokens <n> (n above 140), or cancel the run.',
    );

    const plain = await rejection(runs.resume(workflowId));
    expect(plain).toMatchObject({ name: 'InvalidRunCommandError', code: 'INVALID_RUN_COMMAND' });
    expect(plain.message).toContain('resuming needs a maxTokens above 140 (none was given); pass --max-tokens <n> to flockctl resume');
    expect((await rejection(runs.resume(workflowId, { budget: { maxTokens: 140 } }))).message).toContain('(140 is not)');
    // refused resumes never entered history; the run is still paused where it was
    expect(await acceptedUpdates(workflowId)).toEqual([]);
    expect(await runs.run(workflowId).status()).toMatchObject({ phase: 'paused', stepsDone: 2, budgetExceeded: crossing });

    const resumed = await runs.resume(workflowId, { budget: { maxTokens: 1000 } });
    expect(resumed.budget).toEqual({ maxTokens: 1000, onExceeded: 'pause' });
    expect(resumed).not.toHaveProperty('budgetExceeded');
    await expect(runs.result(workflowId)).resolves.toMatchObject({ lastAgent: 'finisher', stepCount: 3, usage: { totalTokens: 210, modelCalls: 3 } });
    expect(server.requests).toHaveLength(3);
    expect(await acceptedUpdates(workflowId)).toEqual(['flock.resume']);
    expect(await runs.run(workflowId).status()).toMatchObject({ phase: 'completed', usage: { totalTokens: 210 } });

    const seen = await events(workflowId);
    expect(outline(seen)).toEqual([
      'started drafter',
      'completed drafter',
      'started reviser',
      'completed reviser',
      'paused',
      'resumed',
      'started finisher',
      'completed finisher',
      'run-completed',
    ]);
    expect(seen.find((event) => event.type === 'paused')).toEqual({
      type: 'paused',
      reason: 'Budget: agent "reviser" crossed the run\'s token budget: 140 tokens used, maxTokens is 100; resume with a maxTokens above 140 (flockctl: --max-tokens <n>)',
      budgetExceeded: crossing,
    });
    await expect(replays(workflowId)).resolves.toBeUndefined();
  });

  it("in durability 'call', pauses between the model call that crossed the budget and the next call, and resumes the step where it was", async () => {
    server.reply(researcher, researcher, researcher);
    lookups.length = 0;
    const queue = uniqueQueue('budget-pause-call');
    const flock = new Flock({
      name: uniqueQueue('budget-pause-call'),
      temporalConfig: { taskQueue: queue, activityDefaults: { durability: 'call' } },
      agents: [
        defineAgent({
          name: 'researcher',
          input: 'topic: string',
          output: 'notes: string',
          evaluator: modelEvaluator({ model: 'openai-compatible:researcher-model' }),
          tools: [lookup],
          // the second model call takes the agent to 90 tokens
          budget: { maxTokens: 60, onExceeded: 'pause' },
        }),
      ],
    });
    await startWorker(flock, queue);
    const { workflowId } = await runs.start(flock, { startAgent: 'researcher', input: { topic: 'durable runs' } });

    const view = await paused(workflowId);
    expect(view).toMatchObject({
      phase: 'paused',
      currentAgent: 'researcher',
      stepsDone: 0,
      budgetExceeded: { agent: 'researcher', limit: 'maxTokens', scope: 'agent', used: 90, max: 60 },
      // the running step's usage so far shows
      usage: { totalTokens: 90, modelCalls: 2 },
    });
    // held after the second model call, before the tool call it asked for
    expect(server.requests).toHaveLength(2);
    expect(lookups).toEqual(['term-1']);
    expect(await activityTypes(workflowId)).toEqual(['callAgentModel', 'callAgentTool', 'callAgentModel']);
    expect((await rejection(runs.resume(workflowId, { budget: { maxModelCalls: 10 } }))).message).toContain('resuming needs a maxTokens above 90 (none was given)');

    await runs.resume(workflowId, { budget: { maxTokens: 500 } });
    await expect(runs.result(workflowId)).resolves.toMatchObject({
      output: { notes: 'durable workflows survive crashes' },
      stepCount: 1,
      usage: { totalTokens: 160, modelCalls: 3 },
    });
    // the step went on from where it was: no model call was made twice
    expect(server.requests).toHaveLength(3);
    expect(server.requests.map(toolResults)).toEqual([0, 1, 2]);
    expect(lookups).toEqual(['term-1', 'term-2']);
    expect(await activityTypes(workflowId)).toEqual(['callAgentModel', 'callAgentTool', 'callAgentModel', 'callAgentTool', 'callAgentModel']);
    expect(outline(await events(workflowId))).toEqual(['started researcher', 'paused', 'resumed', 'completed researcher', 'run-completed']);
    await expect(replays(workflowId)).resolves.toBeUndefined();
  });
});
