import { Flock, defineAgent, defineTool, type FlockRunFailedError } from '@flock-ts/core';
import { createFakeModel, type FakeModel, type FakeResponse } from './fake-model';
import { llmRouter } from './llm-router';
import { modelEvaluator } from './model-evaluator';

// Budgets of in-process runs with a real model agent (the AI SDK test model
// behind modelEvaluator). The run fails with BUDGET_EXCEEDED whether the
// evaluator stops at the model call that crosses the step's budget or the
// run loop stops after the step: the assertions hold for both.

const lookup = defineTool({
  name: 'lookup',
  description: 'Looks a term up',
  input: 'term: string',
  execute: ({ term }) => `${String(term)}: a definition`,
});

const toolCall = (term: string): FakeResponse => ({ toolCalls: [{ name: 'lookup', args: { term } }], usage: { inputTokens: 40, outputTokens: 5 } });
const answer = (summary: string): FakeResponse => ({ output: { summary }, usage: { inputTokens: 60, outputTokens: 10 } });

/** Two tool calls, then the answer: three model calls in one step. */
const threeCalls = (): FakeModel => createFakeModel({ responses: [toolCall('durable'), toolCall('workflow'), answer('Runs survive crashes.')] });

function summarizer(model: FakeModel) {
  return defineAgent({
    name: 'summarizer',
    description: 'Summarizes a text, looking terms up',
    input: 'text: string',
    output: 'summary: string',
    evaluator: modelEvaluator({ model }),
    tools: [lookup],
  });
}

function failed(promise: Promise<unknown>): Promise<FlockRunFailedError> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (error: unknown) => error as FlockRunFailedError,
  );
}

const input = { text: 'Temporal makes agent runs durable.' };

describe('budgets of in-process runs with the AI SDK test model', () => {
  it('fails the run with BUDGET_EXCEEDED when a tool loop makes more model calls than the flock allows, naming the agent and the figures', async () => {
    const model = threeCalls();
    const flock = new Flock({ name: 'docs', budget: { maxModelCalls: 2 }, agents: [summarizer(model)] });
    const run = await flock.start({ startAgent: 'summarizer', input });
    const error = await failed(run.result());

    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'BUDGET_EXCEEDED', agent: 'summarizer', causeType: 'BudgetExceededError' });
    // the run loop says `maxModelCalls is 2`; an evaluator that stops mid-step `2 were left (maxModelCalls ...)`
    expect(error.message).toMatch(/^Agent "summarizer" crossed .*model-call budget.*: 3 model calls used, .*\b2\b/);
    expect(error.message).toContain('maxModelCalls');
    expect(model.calls.length).toBeLessThanOrEqual(3);
    expect(await run.status()).toMatchObject({ phase: 'failed', budget: { maxModelCalls: 2 } });
  });

  it('lets the same tool loop finish when the budget allows its three model calls, and counts them', async () => {
    const model = threeCalls();
    const flock = new Flock({ name: 'docs', budget: { maxModelCalls: 3, maxTokens: 500 }, agents: [summarizer(model)] });
    const result = await flock.run({ startAgent: 'summarizer', input });

    expect(result.output).toEqual({ summary: 'Runs survive crashes.' });
    expect(result.usage).toEqual({ inputTokens: 140, outputTokens: 20, totalTokens: 160, modelCalls: 3 });
  });

  it("fails the run when an agent's steps together spend more tokens than its own budget", async () => {
    // 70 tokens per step: the second step of the writer takes it past 100
    const model = createFakeModel({ responses: [answer('first'), answer('second'), answer('third')] });
    let steps = 0;
    const writer = defineAgent({
      name: 'writer',
      input: 'text: string',
      output: 'summary: string',
      evaluator: modelEvaluator({ model }),
      budget: { maxTokens: 100 },
      next: () => (++steps < 3 ? 'writer' : null),
    });
    const run = await new Flock({ name: 'drafts', agents: [writer] }).start({ startAgent: 'writer', input });
    const error = await failed(run.result());

    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'writer', causeType: 'BudgetExceededError' });
    expect(error.message).toMatch(/^Agent "writer" crossed .*token budget.*: \d+ tokens used, /);
    expect(error.message).toContain('maxTokens');
    expect(model.calls).toHaveLength(2);
    const status = await run.status();
    expect(status.usage?.modelCalls).toBeGreaterThanOrEqual(1);
    expect(status.agentUsage?.['writer']?.totalTokens).toBeGreaterThanOrEqual(70);
  });

  it("counts a router's model call against the flock's budget", async () => {
    const model = createFakeModel({ responses: [answer('Runs survive crashes.')] });
    const routerModel = createFakeModel({ responses: [{ output: { nextAgent: 'none', confidence: 0.9, reason: 'done' }, usage: { inputTokens: 30, outputTokens: 5 } }] });
    const agent = defineAgent({
      name: 'summarizer',
      input: 'text: string',
      output: 'summary: string',
      evaluator: modelEvaluator({ model }),
      next: llmRouter({ name: 'triage', model: routerModel }),
    });
    const error = await failed(new Flock({ name: 'routed', budget: { maxModelCalls: 1 }, agents: [agent] }).run({ startAgent: 'summarizer', input }));

    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'summarizer' });
    expect(error.message).toBe('Agent "summarizer" crossed the run\'s model-call budget: 2 model calls used, maxModelCalls is 1');
  });
});
