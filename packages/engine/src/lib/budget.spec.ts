import { parseFlockDefinition, type AgentDefinitionInput, type BudgetSpec } from '@flock-ts/config';
import { budgetLeft, checkBudget } from './budget';
import type { FlockRunFailedError } from './errors';
import { applyStep, nextStep, planRun, startRun, stepFailure, type RunPlan } from './run-loop';
import type { RunState, StepRequest, StepResult, TokenUsage } from './run-types';

const AT = '2024-01-01T00:00:00.000Z';

/** What makes an agent a model agent. */
const MODEL: Partial<AgentDefinitionInput> = { evaluator: { kind: 'model' } };

/** An agent that hands off by code (the step decides). */
function agent(name: string, extra: Partial<AgentDefinitionInput> = {}): AgentDefinitionInput {
  return { name, input: '', output: '', next: { kind: 'code' }, ...extra };
}

function plan(agents: AgentDefinitionInput[], budget?: BudgetSpec): RunPlan {
  return planRun(parseFlockDefinition({ name: 'demo', agents, ...(budget ? { budget } : {}) }));
}

function start(runPlan: RunPlan, startAgent: string): RunState {
  return startRun(runPlan, { startAgent, input: {}, runId: 'run-1' });
}

/** `tokens` tokens over `calls` model calls. */
const spent = (tokens: number, calls?: number): TokenUsage => ({
  inputTokens: tokens - 1,
  outputTokens: 1,
  totalTokens: tokens,
  ...(calls === undefined ? {} : { modelCalls: calls }),
});

function result(extra: Partial<StepResult> = {}): StepResult {
  return { output: {}, variables: {}, startedAt: AT, finishedAt: AT, ...extra };
}

/** Plans the due step and applies the given result; returns the request the step got. */
function step(runPlan: RunPlan, state: RunState, extra: Partial<StepResult> = {}): StepRequest {
  const request = nextStep(runPlan, state);
  if (!request) throw new Error('the run has ended');
  applyStep(runPlan, state, request, result(extra));
  return request;
}

function thrown(fn: () => unknown): FlockRunFailedError {
  try {
    fn();
  } catch (error) {
    expect((error as Error).name).toBe('FlockRunFailedError');
    return error as FlockRunFailedError;
  }
  throw new Error('expected a FlockRunFailedError');
}

describe('planRun with budgets', () => {
  it('carries the flock budget on the plan and each agent budget on its agent plan', () => {
    const runPlan = plan([agent('writer', { budget: { maxTokens: 500 } }), agent('editor')], { maxModelCalls: 10 });
    expect(runPlan.budget).toEqual({ maxModelCalls: 10 });
    expect(runPlan.agents.get('writer')?.budget).toEqual({ maxTokens: 500 });
    expect(runPlan.agents.get('editor')).not.toHaveProperty('budget');
  });

  it('has no budget when the flock declares none', () => {
    expect(plan([agent('a')])).not.toHaveProperty('budget');
  });
});

describe('the step request under a budget', () => {
  it('has no budget when neither the flock nor the agent has one', () => {
    const runPlan = plan([agent('a')]);
    expect(nextStep(runPlan, start(runPlan, 'a'))).not.toHaveProperty('budget');
  });

  it('carries what the run budget leaves, after every earlier step', () => {
    const runPlan = plan([agent('a'), agent('b')], { maxTokens: 1000, maxModelCalls: 5 });
    const state = start(runPlan, 'a');
    expect(step(runPlan, state, { usage: spent(300, 2), nextAgent: 'b' }).budget).toEqual({ maxTokens: 1000, maxModelCalls: 5 });
    expect(nextStep(runPlan, state)?.budget).toEqual({ maxTokens: 700, maxModelCalls: 3 });
  });

  it("takes the smaller of the run's and the agent's remaining budget, per limit", () => {
    const runPlan = plan([agent('a'), agent('writer', { budget: { maxTokens: 400, maxModelCalls: 5 } })], { maxTokens: 1000, maxModelCalls: 4 });
    const state = start(runPlan, 'a');
    step(runPlan, state, { usage: spent(700, 1), nextAgent: 'writer' });
    // run: 300 tokens and 3 calls left; writer: 400 tokens and 5 calls
    expect(nextStep(runPlan, state)?.budget).toEqual({ maxTokens: 300, maxModelCalls: 3 });
  });

  it("leaves out a limit neither budget sets, and gives an agent without a budget only the run's", () => {
    const runPlan = plan([agent('a'), agent('writer', { budget: { maxModelCalls: 2 } })], { maxTokens: 1000 });
    const state = start(runPlan, 'writer');
    expect(nextStep(runPlan, state)?.budget).toEqual({ maxTokens: 1000, maxModelCalls: 2 });
    step(runPlan, state, { usage: spent(100, 1), nextAgent: 'a' });
    expect(nextStep(runPlan, state)?.budget).toEqual({ maxTokens: 900 });
  });

  it("counts only the agent's own steps against its budget", () => {
    const runPlan = plan([agent('a'), agent('writer', { budget: { maxTokens: 500 } })]);
    const state = start(runPlan, 'writer');
    step(runPlan, state, { usage: spent(200), nextAgent: 'a' });
    step(runPlan, state, { usage: spent(900), nextAgent: 'writer' });
    expect(nextStep(runPlan, state)?.budget).toEqual({ maxTokens: 300 });
  });
});

describe('crossing a budget after a step', () => {
  it('fails the run with BUDGET_EXCEEDED when a step takes the run past its model-call budget, naming the agent and the figures', () => {
    const runPlan = plan([agent('a'), agent('b')], { maxModelCalls: 3 });
    const state = start(runPlan, 'a');
    step(runPlan, state, { usage: spent(10, 2), nextAgent: 'b' });
    const error = thrown(() => step(runPlan, state, { usage: spent(10, 2), nextAgent: 'a' }));
    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'b', causeType: 'BudgetExceededError', failureType: 'BudgetExceededError' });
    expect(error.message).toBe('Agent "b" crossed the run\'s model-call budget: 4 model calls used, maxModelCalls is 3');
    expect(error.cause).toMatchObject({ name: 'BudgetExceededError', code: 'BUDGET_EXCEEDED', agent: 'b', limit: 'maxModelCalls', scope: 'run', used: 4, max: 3 });
  });

  it("fails the run when a step takes its agent past the agent's token budget", () => {
    const runPlan = plan([agent('writer', { budget: { maxTokens: 500 } })]);
    const state = start(runPlan, 'writer');
    step(runPlan, state, { usage: spent(300), nextAgent: 'writer' });
    const error = thrown(() => step(runPlan, state, { usage: spent(250), nextAgent: 'writer' }));
    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'writer' });
    expect(error.message).toBe('Agent "writer" crossed its own token budget: 550 tokens used, maxTokens is 500');
  });

  it('allows spending exactly the limit', () => {
    const runPlan = plan([agent('a')], { maxTokens: 100, maxModelCalls: 2 });
    const state = start(runPlan, 'a');
    expect(() => step(runPlan, state, { usage: spent(100, 2), nextAgent: null })).not.toThrow();
    expect(state.next).toBeNull();
  });

  it('counts routing usage against the run budget (not the agent budget)', () => {
    const runPlan = plan([agent('a', { budget: { maxTokens: 100 } }), agent('b')], { maxTokens: 120 });
    const state = start(runPlan, 'a');
    const error = thrown(() => step(runPlan, state, { usage: spent(90), routingUsage: spent(40, 1), nextAgent: 'b' }));
    expect(error.message).toBe('Agent "a" crossed the run\'s token budget: 130 tokens used, maxTokens is 120');
    expect(state.agentUsage).toEqual({ a: spent(90) });
  });

  it('has updated the state when it fails: the step happened and its usage shows', () => {
    const runPlan = plan([agent('a', { budget: { maxModelCalls: 1 } })]);
    const state = start(runPlan, 'a');
    thrown(() => step(runPlan, state, { output: { text: 'done' }, usage: spent(50, 3), nextAgent: 'a' }));
    expect(state).toMatchObject({ stepCount: 1, lastAgent: 'a', fields: { text: 'done' }, usage: spent(50, 3), agentUsage: { a: spent(50, 3) } });
    expect(state.recent).toHaveLength(1);
  });

  it("reports the agent's own budget first when a step crosses both", () => {
    const runPlan = plan([agent('a', { budget: { maxTokens: 10 } })], { maxTokens: 10 });
    const state = start(runPlan, 'a');
    expect(thrown(() => step(runPlan, state, { usage: spent(20) })).message).toContain('its own token budget');
  });

  it('counts no model calls for usage that does not report them', () => {
    const runPlan = plan([agent('a')], { maxModelCalls: 1 });
    const state = start(runPlan, 'a');
    step(runPlan, state, { usage: spent(500), nextAgent: 'a' });
    step(runPlan, state, { nextAgent: 'a' });
    expect(nextStep(runPlan, state)?.budget).toEqual({ maxModelCalls: 1 });
  });
});

describe('a step with nothing left', () => {
  it("fails the run before a model agent's step when the run budget is spent", () => {
    const runPlan = plan([agent('a'), agent('b', MODEL)], { maxModelCalls: 2 });
    const state = start(runPlan, 'a');
    step(runPlan, state, { usage: spent(10, 2), nextAgent: 'b' });
    const error = thrown(() => nextStep(runPlan, state));
    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'b', causeType: 'BudgetExceededError' });
    expect(error.message).toBe('Agent "b" cannot run: the run\'s model-call budget is spent (2 model calls used, maxModelCalls is 2)');
  });

  it('lets an agent that calls no model run when the budget is spent exactly, with nothing left in its request', () => {
    const runPlan = plan([agent('a', MODEL), agent('b')], { maxModelCalls: 2 });
    const state = start(runPlan, 'a');
    step(runPlan, state, { usage: spent(10, 2), nextAgent: 'b' });
    expect(nextStep(runPlan, state)).toMatchObject({ agent: 'b', budget: { maxModelCalls: 0 } });
  });

  it("fails the run before the agent's next step when its own budget is spent, and lets other agents run", () => {
    const runPlan = plan([agent('writer', { budget: { maxTokens: 100 }, ...MODEL }), agent('editor')]);
    const state = start(runPlan, 'writer');
    step(runPlan, state, { usage: spent(100), nextAgent: 'editor' });
    expect(nextStep(runPlan, state)?.agent).toBe('editor');
    step(runPlan, state, { usage: spent(1000), nextAgent: 'writer' });
    expect(thrown(() => nextStep(runPlan, state))).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'writer', message: expect.stringContaining('maxTokens is 100') });
  });
});

describe('agent usage in the run state', () => {
  it('is kept only for agents that have a budget', () => {
    const runPlan = plan([agent('a'), agent('b', { budget: { maxTokens: 10_000 } })], { maxTokens: 10_000 });
    const state = start(runPlan, 'a');
    expect(state).not.toHaveProperty('agentUsage');
    step(runPlan, state, { usage: spent(10, 1), nextAgent: 'b' });
    expect(state).not.toHaveProperty('agentUsage');
    step(runPlan, state, { usage: spent(20, 1), nextAgent: 'b' });
    step(runPlan, state, { usage: spent(30, 2), nextAgent: null });
    expect(state.agentUsage).toEqual({ b: { inputTokens: 48, outputTokens: 2, totalTokens: 50, modelCalls: 3 } });
    expect(state.usage).toEqual({ inputTokens: 57, outputTokens: 3, totalTokens: 60, modelCalls: 4 });
  });

  it('is carried with the state across continue-as-new (JSON), and still counts', () => {
    const runPlan = plan([agent('writer', { budget: { maxModelCalls: 3 } })], { maxTokens: 1000 });
    const state = start(runPlan, 'writer');
    step(runPlan, state, { usage: spent(100, 2), nextAgent: 'writer' });
    const carried = JSON.parse(JSON.stringify(state)) as RunState;
    expect(carried.agentUsage).toEqual({ writer: spent(100, 2) });
    expect(nextStep(runPlan, carried)?.budget).toEqual({ maxTokens: 900, maxModelCalls: 1 });
    expect(thrown(() => step(runPlan, carried, { usage: spent(100, 2), nextAgent: 'writer' })).message).toBe(
      'Agent "writer" crossed its own model-call budget: 4 model calls used, maxModelCalls is 3',
    );
  });
});

describe('budgetLeft', () => {
  it('is undefined without budgets', () => {
    const runPlan = plan([agent('a')]);
    expect(budgetLeft(runPlan, start(runPlan, 'a'), 'a', spent(10, 1))).toBeUndefined();
  });

  it('takes what the running step spent so far off, never going below 0', () => {
    const runPlan = plan([agent('a', { budget: { maxModelCalls: 4 } })], { maxTokens: 100 });
    const state = start(runPlan, 'a');
    expect(budgetLeft(runPlan, state, 'a', spent(60, 1))).toEqual({ maxTokens: 40, maxModelCalls: 3 });
    expect(budgetLeft(runPlan, state, 'a', spent(160, 5))).toEqual({ maxTokens: 0, maxModelCalls: 0 });
  });
});

describe('checkBudget', () => {
  it('passes while the run and the step stay within the limits', () => {
    const runPlan = plan([agent('a')], { maxTokens: 100, maxModelCalls: 2 });
    const state = start(runPlan, 'a');
    expect(() => checkBudget(runPlan, state, 'a')).not.toThrow();
    expect(() => checkBudget(runPlan, state, 'a', spent(100, 2))).not.toThrow();
  });

  it('throws the run failure once the usage so far plus the running step is past a limit', () => {
    const runPlan = plan([agent('a'), agent('b', { budget: { maxModelCalls: 2 } })], { maxTokens: 100 });
    const state = start(runPlan, 'a');
    step(runPlan, state, { usage: spent(80, 1), nextAgent: 'b' });
    const overRun = thrown(() => checkBudget(runPlan, state, 'b', spent(30, 1)));
    expect(overRun).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'b', causeType: 'BudgetExceededError' });
    expect(overRun.message).toBe('Agent "b" crossed the run\'s token budget: 110 tokens used, maxTokens is 100');
    expect(thrown(() => checkBudget(runPlan, state, 'b', spent(1, 3))).message).toBe('Agent "b" crossed its own model-call budget: 3 model calls used, maxModelCalls is 2');
  });
});

describe('stepFailure of a budget the evaluator stopped at', () => {
  it('maps a root cause named BudgetExceededError to BUDGET_EXCEEDED', () => {
    const message = 'Agent "writer" crossed the run\'s model-call budget: 3 model calls used, maxModelCalls is 2';
    const error = stepFailure('writer', { name: 'BudgetExceededError', message });
    expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'writer', causeType: 'BudgetExceededError', message, failureType: 'BudgetExceededError' });
  });
});
