import { parseFlockDefinition, type AgentDefinitionInput, type BudgetSpec } from '@flock-ts/config';
import { budgetLeft, budgetPause, budgetPauseReason, checkBudget, raiseBudget, runBudget } from './budget';
import { checkResume, type FlockRunFailedError } from './errors';
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

/** A budget that pauses the run for a person when crossed. */
const pausing = (limits: Omit<BudgetSpec, 'onExceeded'>): BudgetSpec => ({ ...limits, onExceeded: 'pause' });

/** The message of what `fn` refuses with (`InvalidRunCommandError`). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect((error as Error).name).toBe('InvalidRunCommandError');
    return (error as Error).message;
  }
  throw new Error('expected an InvalidRunCommandError');
}

describe("a budget with onExceeded: 'pause'", () => {
  it('does not fail the run after the step that crossed it: the pause is due at the next step boundary, kept in the state', () => {
    const runPlan = plan([agent('a'), agent('b')], pausing({ maxTokens: 100 }));
    const state = start(runPlan, 'a');
    step(runPlan, state, { usage: spent(130, 1), nextAgent: 'b' });
    const request = nextStep(runPlan, state) as StepRequest;
    expect(request.agent).toBe('b');
    const crossing = budgetPause(runPlan, state, request);
    expect(crossing).toEqual({ agent: 'a', limit: 'maxTokens', scope: 'run', used: 130, max: 100 });
    expect(state.budgetExceeded).toEqual(crossing);
    // due once: the executor waits on state.budgetExceeded until a resume raises the limit
    expect(budgetPause(runPlan, state, request)).toBeUndefined();
    expect(budgetPauseReason(crossing!)).toBe(
      'Budget: agent "a" crossed the run\'s token budget: 130 tokens used, maxTokens is 100; resume with a maxTokens above 130 (flockctl: --max-tokens <n>)',
    );
  });

  it("pauses before a model agent's step when a limit of its own budget is spent, and lets an agent that calls no model run", () => {
    const runPlan = plan([agent('writer', { budget: pausing({ maxModelCalls: 2 }), ...MODEL }), agent('editor')]);
    const state = start(runPlan, 'writer');
    step(runPlan, state, { usage: spent(10, 2), nextAgent: 'editor' });
    const editor = nextStep(runPlan, state) as StepRequest;
    expect(budgetPause(runPlan, state, editor)).toBeUndefined();
    step(runPlan, state, { nextAgent: 'writer' });
    const writer = nextStep(runPlan, state) as StepRequest;
    expect(budgetPause(runPlan, state, writer)).toEqual({ agent: 'writer', limit: 'maxModelCalls', scope: 'agent', used: 2, max: 2, beforeStep: true });
  });

  it('leaves the pausing budget out of what the step may spend: the evaluator does not stop mid-step for it', () => {
    const runPlan = plan([agent('a', { budget: { maxTokens: 500 } })], pausing({ maxTokens: 100, maxModelCalls: 3 }));
    const state = start(runPlan, 'a');
    expect(nextStep(runPlan, state)?.budget).toEqual({ maxTokens: 500 });
    expect(budgetLeft(runPlan, state, 'a', spent(50, 1))).toEqual({ maxTokens: 450 });
    const onlyPausing = plan([agent('a')], pausing({ maxTokens: 100 }));
    expect(nextStep(onlyPausing, start(onlyPausing, 'a'))).not.toHaveProperty('budget');
  });

  it('fails the run all the same when a step also crosses a budget that fails it', () => {
    const runPlan = plan([agent('a', { budget: { maxModelCalls: 1 } })], pausing({ maxTokens: 100 }));
    const state = start(runPlan, 'a');
    expect(thrown(() => step(runPlan, state, { usage: spent(200, 2), nextAgent: 'a' }))).toMatchObject({ code: 'BUDGET_EXCEEDED', agent: 'a' });
  });

  it('completes a run whose last step crossed it: there is no step boundary after it', () => {
    const runPlan = plan([agent('a')], pausing({ maxTokens: 100 }));
    const state = start(runPlan, 'a');
    step(runPlan, state, { usage: spent(200, 1), nextAgent: null });
    expect(nextStep(runPlan, state)).toBeNull();
    expect(state).not.toHaveProperty('budgetExceeded');
  });

  it('is returned (and kept) by checkBudget between the model calls of a step, after any budget that fails the run', () => {
    const runPlan = plan([agent('a', { budget: { maxModelCalls: 3 } })], pausing({ maxTokens: 100 }));
    const state = start(runPlan, 'a');
    expect(checkBudget(runPlan, state, 'a', spent(100, 1))).toBeUndefined();
    expect(thrown(() => checkBudget(runPlan, state, 'a', spent(150, 4)))).toMatchObject({ code: 'BUDGET_EXCEEDED', message: expect.stringContaining('its own model-call budget') });
    expect(state).not.toHaveProperty('budgetExceeded');
    expect(checkBudget(runPlan, state, 'a', spent(150, 2))).toEqual({ agent: 'a', limit: 'maxTokens', scope: 'run', used: 150, max: 100 });
    expect(state.budgetExceeded).toMatchObject({ limit: 'maxTokens', used: 150 });
  });
});

describe('resuming a budget pause', () => {
  function crossedRun() {
    const runPlan = plan([agent('a'), agent('b', { budget: pausing({ maxModelCalls: 2 }) })], pausing({ maxTokens: 100, maxModelCalls: 10 }));
    const state = start(runPlan, 'a');
    step(runPlan, state, { usage: spent(130, 1), nextAgent: 'b' });
    budgetPause(runPlan, state, nextStep(runPlan, state) as StepRequest);
    return { runPlan, state };
  }

  it('is refused without a higher limit, naming the limit, the figure used and the flag to pass', () => {
    const { state } = crossedRun();
    const crossing = state.budgetExceeded;
    expect(refusal(() => checkResume(false, crossing))).toBe(
      'The run is paused for its budget (agent "a" crossed the run\'s token budget: 130 tokens used, maxTokens is 100): resuming needs a maxTokens above 130 (none was given); ' +
        'pass --max-tokens <n> to flockctl resume, or resume({ budget: { maxTokens: n } })',
    );
    expect(refusal(() => checkResume(false, crossing, { maxTokens: 130 }))).toContain('maxTokens above 130 (130 is not)');
    expect(refusal(() => checkResume(false, crossing, { maxModelCalls: 50 }))).toContain('(none was given)');
    expect(refusal(() => checkResume(false, crossing, { maxTokens: 200, maxModelCalls: 1.5 }))).toBe('budget.maxModelCalls must be a positive integer, got 1.5');
    expect(() => checkResume(false, crossing, { maxTokens: 131 })).not.toThrow();
  });

  it('keeps a plain pause and resume as they were, and refuses a budget when no budget pause is there to raise', () => {
    expect(() => checkResume(true)).not.toThrow();
    expect(refusal(() => checkResume(false))).toBe('The run is not paused');
    expect(refusal(() => checkResume(true, undefined, { maxTokens: 500 }))).toContain('not paused for a budget');
  });

  it("replaces the crossed budget's limits for the rest of the run: status shows them, the pause ends, and the state carries them across continue-as-new", () => {
    const { runPlan, state } = crossedRun();
    raiseBudget(state, { maxTokens: 1000 });
    expect(state).not.toHaveProperty('budgetExceeded');
    expect(state.raisedBudgets).toEqual({ run: { maxTokens: 1000 } });
    expect(runBudget(runPlan, state)).toEqual({ maxTokens: 1000, maxModelCalls: 10, onExceeded: 'pause' });
    const carried = JSON.parse(JSON.stringify(state)) as RunState;
    const request = nextStep(runPlan, carried) as StepRequest;
    expect(budgetPause(runPlan, carried, request)).toBeUndefined();
    // the raised limit is crossed in its turn: another pause
    step(runPlan, carried, { usage: spent(900, 1), nextAgent: 'a' });
    expect(budgetPause(runPlan, carried, nextStep(runPlan, carried) as StepRequest)).toMatchObject({ agent: 'b', limit: 'maxTokens', used: 1030, max: 1000 });
  });

  it("raises the crossing agent's own budget when that is what was crossed, leaving the run's and other agents' as they were", () => {
    const runPlan = plan([agent('b', { budget: pausing({ maxModelCalls: 2, maxTokens: 50 }), ...MODEL })], { maxTokens: 1000 });
    const state = start(runPlan, 'b');
    step(runPlan, state, { usage: spent(20, 3), nextAgent: 'b' });
    expect(budgetPause(runPlan, state, nextStep(runPlan, state) as StepRequest)).toMatchObject({ agent: 'b', scope: 'agent', limit: 'maxModelCalls', used: 3 });
    raiseBudget(state, { maxModelCalls: 5 });
    expect(state.raisedBudgets).toEqual({ agents: { b: { maxModelCalls: 5 } } });
    expect(runBudget(runPlan, state)).toEqual({ maxTokens: 1000 });
    expect(budgetPause(runPlan, state, nextStep(runPlan, state) as StepRequest)).toBeUndefined();
    // its other limit still holds
    step(runPlan, state, { usage: spent(40, 1), nextAgent: 'b' });
    expect(budgetPause(runPlan, state, nextStep(runPlan, state) as StepRequest)).toMatchObject({ scope: 'agent', limit: 'maxTokens', used: 60, max: 50 });
  });
});
