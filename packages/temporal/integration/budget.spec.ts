/**
 * Budgets on Temporal, with model agents against the OpenAI-compatible
 * stand-in over HTTP and in-process workers: a run that spends more model
 * calls (or an agent more tokens) than its budget FAILS, with failure type
 * BudgetExceededError and run error code BUDGET_EXCEEDED, naming the agent;
 * its status shows what it spent. Whether the model evaluator stops at the
 * call that crosses the step's budget or the run loop stops after the step,
 * the assertions hold.
 */
import { Flock, defineAgent, defineTool } from '@flock-ts/core';
import { llmRouter, modelEvaluator } from '@flock-ts/llm';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn, type StandInReply, type StandInRequest } from '@flock-ts/llm/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { FlockRunsClient } from '../src/lib/runs-client';
import { rejection, uniqueQueue, workerHarness } from './harness';

jest.setTimeout(60_000);

const { startWorker, clients } = workerHarness();
let runs: FlockRunsClient;
let server: OpenAICompatibleStandIn;
const savedBaseUrl = process.env['FLOCK_OPENAI_BASE_URL'];

/** Tool results the model received so far in this call (the tool loop's earlier rounds). */
function toolResults(request: StandInRequest): number {
  const messages = (request.body['messages'] ?? []) as Array<{ role?: string }>;
  return messages.filter((message) => message.role === 'tool').length;
}

/**
 * Every request gets its answer from what it asks (which model, how far its
 * tool loop is), never from its place in a script: however many calls a
 * run makes before its budget stops it, the next test finds the same server.
 */
const answer: StandInReply = (request) => {
  switch (request.body['model']) {
    case 'router-model':
      return { output: { nextAgent: 'none', confidence: 0.9, reason: 'the plan is done' }, usage: { promptTokens: 20, completionTokens: 5 } };
    case 'planner-model':
      return { output: { plan: 'look up durable and workflow' }, usage: { promptTokens: 30, completionTokens: 5 } };
    case 'researcher-model':
      // two rounds of tool calls, then the answer: three model calls in one step
      return toolResults(request) < 2
        ? { toolCalls: [{ name: 'lookup', args: { term: `term-${toolResults(request) + 1}` } }], usage: { promptTokens: 40, completionTokens: 5 } }
        : { output: { notes: 'durable workflows survive crashes' }, usage: { promptTokens: 60, completionTokens: 10 } };
    default:
      return { output: { draft: 'a draft' }, usage: { promptTokens: 40, completionTokens: 30 } };
  }
};

beforeAll(async () => {
  runs = clients.runs;
  server = await startOpenAICompatibleStandIn();
  process.env['FLOCK_OPENAI_BASE_URL'] = server.baseUrl;
  server.reply(...Array.from({ length: 40 }, () => answer));
});

afterAll(async () => {
  if (savedBaseUrl === undefined) delete process.env['FLOCK_OPENAI_BASE_URL'];
  else process.env['FLOCK_OPENAI_BASE_URL'] = savedBaseUrl;
  await server?.close();
});

const lookup = defineTool({ name: 'lookup', description: 'Looks a term up', input: 'term: string', execute: ({ term }) => `${String(term)}: a definition` });

/** The Temporal failure of a workflow that failed: its type and details. */
async function workflowFailure(workflowId: string): Promise<{ type?: string; details?: unknown[]; message: string }> {
  const error = await rejection(runs.client.workflow.getHandle(workflowId).result());
  expect(error).toBeInstanceOf(WorkflowFailedError);
  return (error as unknown as WorkflowFailedError).cause as unknown as { type?: string; details?: unknown[]; message: string };
}

describe('budgets on Temporal (model agents, OpenAI-compatible stand-in over HTTP)', () => {
  it("fails the workflow with BudgetExceededError when a tool loop takes the run past the flock's model-call budget", async () => {
    const queue = uniqueQueue('budget-calls');
    const flock = new Flock({
      name: uniqueQueue('budget-calls'),
      temporalConfig: { taskQueue: queue },
      budget: { maxModelCalls: 3 },
      agents: [
        defineAgent({
          name: 'planner',
          input: 'topic: string',
          output: 'plan: string',
          evaluator: modelEvaluator({ model: 'openai-compatible:planner-model' }),
          next: 'researcher',
        }),
        defineAgent({
          name: 'researcher',
          input: 'plan: string',
          output: 'notes: string',
          evaluator: modelEvaluator({ model: 'openai-compatible:researcher-model' }),
          tools: [lookup],
        }),
      ],
    });
    await startWorker(flock, queue);
    const before = server.requests.length;
    const { workflowId } = await runs.start(flock, { startAgent: 'planner', input: { topic: 'durable runs' } });

    const error = await rejection(runs.result(workflowId));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'BUDGET_EXCEEDED', agent: 'researcher', causeType: 'BudgetExceededError' });
    // not retried: a retry would spend more (one planner call, at most the researcher's three)
    const researcherCalls = server.requests.slice(before).filter((request) => request.body['model'] === 'researcher-model');
    expect(researcherCalls.length).toBeGreaterThanOrEqual(1);
    expect(researcherCalls.length).toBeLessThanOrEqual(3);
    expect(error.message).toMatch(/^Agent "researcher" crossed .*model-call budget.*: \d+ model calls used, /);
    expect(error.message).toContain('maxModelCalls');

    const failure = await workflowFailure(workflowId);
    expect(failure.type).toBe('BudgetExceededError');
    expect(failure.details?.[0]).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'researcher', causeType: 'BudgetExceededError' });

    const view = await runs.status(workflowId);
    expect(view).toMatchObject({ executionStatus: 'FAILED', phase: 'failed' });
    // the planner's step completed within the budget, whatever stopped the researcher's
    expect(view.usage?.modelCalls).toBeGreaterThanOrEqual(1);
    const status = await runs.run(workflowId).status();
    expect(status.phase).toBe('failed');
    expect(status.usage?.modelCalls).toBeGreaterThanOrEqual(1);
    expect(status.usage?.totalTokens).toBeGreaterThanOrEqual(35);
  });

  it("fails the workflow when an agent's steps together spend more tokens than its own budget", async () => {
    const queue = uniqueQueue('budget-tokens');
    const flock = new Flock({
      name: uniqueQueue('budget-tokens'),
      temporalConfig: { taskQueue: queue },
      agents: [
        defineAgent({
          name: 'writer',
          input: 'topic: string',
          output: 'draft: string',
          evaluator: modelEvaluator({ model: 'openai-compatible:writer-model' }),
          // 70 tokens a step: the second step takes the writer past 100
          budget: { maxTokens: 100 },
          next: () => 'writer',
        }),
      ],
    });
    await startWorker(flock, queue);
    const { workflowId } = await runs.start(flock, { startAgent: 'writer', input: { topic: 'tides' } });

    const error = await rejection(runs.result(workflowId));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'BUDGET_EXCEEDED', agent: 'writer' });
    expect(error.message).toMatch(/^Agent "writer" crossed .*token budget.*: \d+ tokens used, /);
    expect(error.message).toContain('maxTokens');
    expect((await workflowFailure(workflowId)).type).toBe('BudgetExceededError');

    const view = await runs.status(workflowId);
    expect(view.executionStatus).toBe('FAILED');
    expect(view.usage).toMatchObject({ totalTokens: expect.any(Number), modelCalls: expect.any(Number) });
    expect(view.usage?.totalTokens).toBeGreaterThanOrEqual(70);
  });

  it("counts a router's model call: the run fails after the step whose hand-off crossed the budget, and its status shows both calls", async () => {
    const queue = uniqueQueue('budget-router');
    const flock = new Flock({
      name: uniqueQueue('budget-router'),
      temporalConfig: { taskQueue: queue },
      budget: { maxModelCalls: 1 },
      agents: [
        defineAgent({
          name: 'planner',
          input: 'topic: string',
          output: 'plan: string',
          evaluator: modelEvaluator({ model: 'openai-compatible:planner-model' }),
          next: llmRouter({ name: 'triage', model: 'openai-compatible:router-model' }),
        }),
      ],
    });
    await startWorker(flock, queue);
    const { workflowId } = await runs.start(flock, { startAgent: 'planner', input: { topic: 'durable runs' } });

    const error = await rejection(runs.result(workflowId));
    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'planner', causeType: 'BudgetExceededError' });
    expect(error.message).toMatch(/^Agent "planner" crossed the run's model-call budget: 2 model calls used, maxModelCalls is 1 \(workflow /);
    expect((await workflowFailure(workflowId)).type).toBe('BudgetExceededError');
    // the step happened: its usage and the router's are the run's
    const status = await runs.run(workflowId).status();
    expect(status).toMatchObject({ phase: 'failed', stepsDone: 1, usage: { inputTokens: 50, outputTokens: 10, totalTokens: 60, modelCalls: 2 } });
    expect((await runs.status(workflowId)).usage).toMatchObject({ totalTokens: 60, modelCalls: 2 });
  });
});
