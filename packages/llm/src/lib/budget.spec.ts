import { Flock, defineAgent, defineTool, type FlockRun, type FlockRunEvent, type FlockRunFailedError, type RunPhase } from '@flock-ts/core';
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

/** Resolves once the run's phase satisfies `ready`. */
async function until(run: FlockRun, ready: (phase: RunPhase) => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ready((await run.status()).phase); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(ready((await run.status()).phase)).toBe(true);
}

async function collect(run: FlockRun): Promise<FlockRunEvent[]> {
  const events: FlockRunEvent[] = [];
  for await (const event of run.events({ text: false })) events.push(event);
  return events;
}

function refused(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected the command to be refused');
    },
    (error: unknown) => error as Error,
  );
}

describe("budgets with onExceeded: 'pause' (in-process, AI SDK test model)", () => {
  /** A writer that runs three steps of 70 tokens each: the second takes the run past 100. */
  function threeDrafts(budget: { maxTokens?: number; maxModelCalls?: number }) {
    const model = createFakeModel({ responses: [answer('first'), answer('second'), answer('third')] });
    let steps = 0;
    const writer = defineAgent({
      name: 'writer',
      input: 'text: string',
      output: 'summary: string',
      evaluator: modelEvaluator({ model }),
      next: () => (++steps < 3 ? 'writer' : null),
    });
    return { model, flock: new Flock({ name: 'drafts', budget: { ...budget, onExceeded: 'pause' }, agents: [writer] }) };
  }

  it('pauses after the step that crossed the budget, refuses a resume that does not raise it, and completes once resumed with a higher limit', async () => {
    const { model, flock } = threeDrafts({ maxTokens: 100 });
    const run = await flock.start({ startAgent: 'writer', input });
    await until(run, (phase) => phase === 'paused');

    // the crossing step finished (its work is kept); the next one waits
    expect(model.calls).toHaveLength(2);
    const crossing = { agent: 'writer', limit: 'maxTokens', scope: 'run', used: 140, max: 100 };
    expect(await run.status()).toMatchObject({ phase: 'paused', stepsDone: 2, pauseRequested: true, budgetExceeded: crossing, budget: { maxTokens: 100 } });

    const plain = await refused(run.resume());
    expect(plain).toMatchObject({ name: 'InvalidRunCommandError', code: 'INVALID_RUN_COMMAND' });
    expect(plain.message).toContain('resuming needs a maxTokens above 140');
    expect(plain.message).toContain('--max-tokens');
    expect((await refused(run.resume({ budget: { maxTokens: 140 } }))).message).toContain('(140 is not)');
    await expect(run.pause()).rejects.toMatchObject({ name: 'InvalidRunCommandError' });
    // nothing changed: still paused at the same place
    expect(await run.status()).toMatchObject({ phase: 'paused', stepsDone: 2, budgetExceeded: crossing });
    expect(model.calls).toHaveLength(2);

    await expect(run.resume({ budget: { maxTokens: 1000 } })).resolves.toMatchObject({ budget: { maxTokens: 1000, onExceeded: 'pause' } });
    const result = await run.result();
    expect(result).toMatchObject({ stepCount: 3, output: { summary: 'third' }, usage: { totalTokens: 210, modelCalls: 3 } });
    const status = await run.status();
    expect(status).toMatchObject({ phase: 'completed', budget: { maxTokens: 1000, onExceeded: 'pause' } });
    expect(status).not.toHaveProperty('budgetExceeded');

    const events = await collect(run);
    const types = events.map((event) => (event.type === 'step-completed' ? `completed:${event.record.step}` : event.type));
    expect(types).toEqual(['step-started', 'completed:0', 'step-started', 'completed:1', 'paused', 'resumed', 'step-started', 'completed:2', 'run-completed']);
    const paused = events.find((event) => event.type === 'paused');
    expect(paused).toEqual({
      type: 'paused',
      reason: 'Budget: agent "writer" crossed the run\'s token budget: 140 tokens used, maxTokens is 100; resume with a maxTokens above 140 (flockctl: --max-tokens <n>)',
      budgetExceeded: crossing,
    });
  });

  it('does not stop a tool loop midway: all its model calls run, and a run that this step ended completes', async () => {
    const model = threeCalls();
    const flock = new Flock({ name: 'docs', budget: { maxModelCalls: 2, onExceeded: 'pause' }, agents: [summarizer(model)] });
    const result = await flock.run({ startAgent: 'summarizer', input });

    expect(result.output).toEqual({ summary: 'Runs survive crashes.' });
    expect(model.calls).toHaveLength(3);
    expect(result.usage?.modelCalls).toBe(3);
  });
});
