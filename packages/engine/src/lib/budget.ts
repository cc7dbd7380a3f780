import type { BudgetSpec } from '@flock-ts/config';
import {
  BUDGET_LIMITS,
  BUDGET_RESUME_FLAGS,
  BudgetExceededError,
  FlockRunFailedError,
  RUN_FAILURE_TYPES,
  budgetCrossingText,
  type BudgetCrossing,
  type BudgetLimit,
} from './errors';
import type { RunPlan } from './run-loop';
import type { BudgetRaise, RunState, StepBudget, StepRequest, TokenUsage } from './run-types';
import { sumUsage } from './usage';

// Budgets, once for every executor: what a step may still spend, the run
// failure once a limit is crossed, or the pause for a person when the
// budget says `onExceeded: 'pause'`. Pure and sandbox-safe.

/** One budget that applies to a step, with what was spent against it. */
interface Account {
  scope: BudgetCrossing['scope'];
  budget: BudgetSpec;
  usage: TokenUsage | undefined;
}

/** A crossing is past the limit; a budget is spent when it reached it (a model agent cannot run then). */
const past = (used: number, max: number) => used > max;
const spentUp = (used: number, max: number) => used >= max;

/** Whether crossing the account's budget pauses the run for a person instead of failing it. */
const pauses = (account: Account) => account.budget.onExceeded === 'pause';
const fails = (account: Account) => !pauses(account);

/** What a usage spent of one limit: tokens (input plus output), or model calls (0 when not counted). */
function spentOf(usage: TokenUsage | undefined, limit: BudgetLimit): number {
  if (!usage) return 0;
  return limit === 'maxTokens' ? usage.totalTokens : (usage.modelCalls ?? 0);
}

/** A declared budget with the limits people raised on resuming (only those given). */
function withRaise(budget: BudgetSpec, raise: BudgetRaise | undefined): BudgetSpec {
  return raise ? { ...budget, ...raise } : budget;
}

/**
 * The run's budget as it applies now: the flock's `budget` with the limits
 * people raised on resuming budget pauses. What status shows.
 */
export function runBudget(plan: RunPlan, state: RunState): BudgetSpec | undefined {
  return plan.budget && withRaise(plan.budget, state.raisedBudgets?.run);
}

/** The budgets of a step of `agent`: its own first (the narrower one), then the run's. */
function accountsOf(plan: RunPlan, state: RunState, agent: string, spentInStep: TokenUsage | undefined): Account[] {
  const accounts: Account[] = [];
  const own = plan.agents.get(agent)?.budget;
  if (own) accounts.push({ scope: 'agent', budget: withRaise(own, state.raisedBudgets?.agents?.[agent]), usage: sumUsage([state.agentUsage?.[agent], spentInStep]) });
  const run = runBudget(plan, state);
  if (run) accounts.push({ scope: 'run', budget: run, usage: sumUsage([state.usage, spentInStep]) });
  return accounts;
}

/** The first limit `reached(used, max)` holds for, as a crossing by `agent`. */
function findCrossing(accounts: readonly Account[], agent: string, reached: (used: number, max: number) => boolean): BudgetCrossing | undefined {
  for (const { scope, budget, usage } of accounts) {
    for (const limit of BUDGET_LIMITS) {
      const max = budget[limit];
      if (max === undefined) continue;
      const used = spentOf(usage, limit);
      if (reached(used, max)) return { agent, limit, scope, used, max };
    }
  }
  return undefined;
}

/** The run failure of a crossing: code `BUDGET_EXCEEDED`, the agent, and the {@link BudgetExceededError} as cause. */
export function budgetFailure(crossing: BudgetCrossing): FlockRunFailedError {
  const cause = new BudgetExceededError(crossing);
  return new FlockRunFailedError(cause.message, { code: 'BUDGET_EXCEEDED', agent: crossing.agent, causeType: RUN_FAILURE_TYPES.BUDGET_EXCEEDED, cause });
}

/** Throws the run failure when a budget that fails the run (`onExceeded: 'fail'`, the default) is past a limit. */
export function failOnCrossing(plan: RunPlan, state: RunState, agent: string): void {
  const crossing = findCrossing(accountsOf(plan, state, agent, undefined).filter(fails), agent, past);
  if (crossing) throw budgetFailure(crossing);
}

/**
 * What a step of `agent` may still spend: per limit, the smaller of what
 * the run's `budget` and the agent's own leave (never below 0), after what
 * the run (and the agent) spent so far and `spentInStep`. `undefined` when
 * neither the flock nor the agent has a budget that fails the run: a
 * budget with `onExceeded: 'pause'` never stops a step midway (the run
 * pauses after it).
 *
 * @example
 * budgetLeft(plan, state, 'writer') // => { maxTokens: 1200, maxModelCalls: 3 }
 */
export function budgetLeft(plan: RunPlan, state: RunState, agent: string, spentInStep?: TokenUsage): StepBudget | undefined {
  const accounts = accountsOf(plan, state, agent, spentInStep).filter(fails);
  if (accounts.length === 0) return undefined;
  const left: StepBudget = {};
  for (const { budget, usage } of accounts) {
    for (const limit of BUDGET_LIMITS) {
      const max = budget[limit];
      if (max === undefined) continue;
      const remaining = Math.max(0, max - spentOf(usage, limit));
      left[limit] = Math.min(left[limit] ?? remaining, remaining);
    }
  }
  return left;
}

/**
 * Checks what the run (or the agent) spent plus `spentInStep` against the
 * run's and the agent's `budget`; spending exactly a limit is allowed.
 * Past a limit of a budget that fails the run, throws the run failure
 * (`FlockRunFailedError`, code `BUDGET_EXCEEDED`, `causeType:
 * 'BudgetExceededError'`, naming `agent`). Past a limit of a budget with
 * `onExceeded: 'pause'`, returns the crossing and keeps it in
 * `state.budgetExceeded`: the run pauses until a resume raises that limit.
 * A workflow that runs a step's model calls one by one calls it before
 * each call, with what the step spent so far.
 *
 * @example
 * checkBudget(plan, state, 'writer', { inputTokens: 900, outputTokens: 200, totalTokens: 1100, modelCalls: 2 });
 */
export function checkBudget(plan: RunPlan, state: RunState, agent: string, spentInStep?: TokenUsage): BudgetCrossing | undefined {
  const accounts = accountsOf(plan, state, agent, spentInStep);
  const failing = findCrossing(accounts.filter(fails), agent, past);
  if (failing) throw budgetFailure(failing);
  const crossing = findCrossing(accounts.filter(pauses), agent, past);
  if (crossing) state.budgetExceeded = crossing;
  return crossing;
}

/**
 * The budget of the step of `agent` about to start, `undefined` without
 * budgets that fail the run. A model agent (`spends`) with nothing left of
 * a limit of such a budget fails the run before its step, which could
 * only cross it; other agents run (their routers' spending is checked
 * after the step). Budgets that pause are left to {@link budgetPause}.
 */
export function stepBudget(plan: RunPlan, state: RunState, agent: string, spends: boolean): StepBudget | undefined {
  const spent = spends ? findCrossing(accountsOf(plan, state, agent, undefined).filter(fails), agent, spentUp) : undefined;
  if (spent) throw budgetFailure({ ...spent, beforeStep: true });
  return budgetLeft(plan, state, agent);
}

/**
 * The budget pause due at the step boundary before `request`, when a
 * budget with `onExceeded: 'pause'` says so: the step before (of
 * `state.lastAgent`, with its routing decision) took the run or its agent
 * past a limit, or `request` is a model agent's step and a limit of its
 * budgets is spent. Kept in `state.budgetExceeded` (status shows it) until
 * a resume raises the limit ({@link raiseBudget}); `undefined` when no
 * pause is due (or one already is). A run whose last step crossed a limit
 * has no boundary after it: it completes.
 *
 * @example
 * const crossing = budgetPause(plan, state, request); // => { agent: 'writer', limit: 'maxTokens', scope: 'run', used: 5210, max: 5000 }
 */
export function budgetPause(plan: RunPlan, state: RunState, request: StepRequest): BudgetCrossing | undefined {
  if (state.budgetExceeded) return undefined;
  const last = state.lastAgent;
  let crossing = last === undefined ? undefined : findCrossing(accountsOf(plan, state, last, undefined).filter(pauses), last, past);
  if (!crossing && plan.agents.get(request.agent)?.model) {
    const spent = findCrossing(accountsOf(plan, state, request.agent, undefined).filter(pauses), request.agent, spentUp);
    if (spent) crossing = { ...spent, beforeStep: true };
  }
  if (crossing) state.budgetExceeded = crossing;
  return crossing;
}

/**
 * Ends a budget pause with the limits of `budget` (checked by
 * `checkResume`): they replace the crossed budget's limits (the run's, or
 * the crossing agent's own) for the rest of the run, carried in the state
 * across continue-as-new; the definition is unchanged.
 */
export function raiseBudget(state: RunState, budget: BudgetRaise): void {
  const crossing = state.budgetExceeded;
  if (!crossing) return;
  const limits: BudgetRaise = {};
  for (const limit of BUDGET_LIMITS) if (budget[limit] !== undefined) limits[limit] = budget[limit];
  const raised = { ...state.raisedBudgets };
  if (crossing.scope === 'agent') raised.agents = { ...raised.agents, [crossing.agent]: { ...raised.agents?.[crossing.agent], ...limits } };
  else raised.run = { ...raised.run, ...limits };
  state.raisedBudgets = raised;
  delete state.budgetExceeded;
}

/**
 * Why the run paused for its budget, naming the agent and the figures, and
 * how to go on: the reason of its `paused` event.
 *
 * @example
 * budgetPauseReason(crossing)
 * // => 'Budget: agent "writer" crossed the run\'s token budget: 5210 tokens used, maxTokens is 5000; resume with a maxTokens above 5210 (flockctl: --max-tokens <n>)'
 */
export function budgetPauseReason(crossing: BudgetCrossing): string {
  return `Budget: ${budgetCrossingText(crossing, true)}; resume with a ${crossing.limit} above ${crossing.used} (flockctl: ${BUDGET_RESUME_FLAGS[crossing.limit]} <n>)`;
}

/** Whether a value (a memo field read back, say) is a {@link BudgetCrossing}. */
export function isBudgetCrossing(value: unknown): value is BudgetCrossing {
  const crossing = value as Partial<BudgetCrossing> | null;
  return (
    typeof crossing === 'object' &&
    crossing !== null &&
    typeof crossing.agent === 'string' &&
    (BUDGET_LIMITS as readonly unknown[]).includes(crossing.limit) &&
    typeof crossing.used === 'number' &&
    typeof crossing.max === 'number'
  );
}

/** Adds a step's usage to its agent's, kept only for agents that have a budget. */
export function addAgentUsage(plan: RunPlan, state: RunState, agent: string, usage: TokenUsage | undefined): void {
  if (!usage || !plan.agents.get(agent)?.budget) return;
  const total = sumUsage([state.agentUsage?.[agent], usage]) as TokenUsage;
  state.agentUsage = { ...state.agentUsage, [agent]: total };
}
