import type { BudgetSpec } from '@flock-ts/config';
import { BudgetExceededError, FlockRunFailedError, RUN_FAILURE_TYPES, type BudgetCrossing, type BudgetLimit } from './errors';
import type { RunPlan } from './run-loop';
import type { RunState, StepBudget, TokenUsage } from './run-types';
import { sumUsage } from './usage';

// Budgets, once for every executor: what a step may still spend, and the
// run failure once a limit is crossed. Pure and sandbox-safe.

const LIMITS: readonly BudgetLimit[] = ['maxTokens', 'maxModelCalls'];

/** One budget that applies to a step, with what was spent against it. */
interface Account {
  scope: BudgetCrossing['scope'];
  budget: BudgetSpec;
  usage: TokenUsage | undefined;
}

/** What a usage spent of one limit: tokens (input plus output), or model calls (0 when not counted). */
function spentOf(usage: TokenUsage | undefined, limit: BudgetLimit): number {
  if (!usage) return 0;
  return limit === 'maxTokens' ? usage.totalTokens : (usage.modelCalls ?? 0);
}

/** The budgets of a step of `agent`: its own first (the narrower one), then the run's. */
function accountsOf(plan: RunPlan, state: RunState, agent: string, spentInStep: TokenUsage | undefined): Account[] {
  const accounts: Account[] = [];
  const own = plan.agents.get(agent)?.budget;
  if (own) accounts.push({ scope: 'agent', budget: own, usage: sumUsage([state.agentUsage?.[agent], spentInStep]) });
  if (plan.budget) accounts.push({ scope: 'run', budget: plan.budget, usage: sumUsage([state.usage, spentInStep]) });
  return accounts;
}

/** The first limit `reached(used, max)` holds for, as a crossing by `agent`. */
function findCrossing(accounts: readonly Account[], agent: string, reached: (used: number, max: number) => boolean): BudgetCrossing | undefined {
  for (const { scope, budget, usage } of accounts) {
    for (const limit of LIMITS) {
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

/**
 * What a step of `agent` may still spend: per limit, the smaller of what
 * the run's `budget` and the agent's own leave (never below 0), after what
 * the run (and the agent) spent so far and `spentInStep`. `undefined` when
 * neither the flock nor the agent has a budget.
 *
 * @example
 * budgetLeft(plan, state, 'writer') // => { maxTokens: 1200, maxModelCalls: 3 }
 */
export function budgetLeft(plan: RunPlan, state: RunState, agent: string, spentInStep?: TokenUsage): StepBudget | undefined {
  const accounts = accountsOf(plan, state, agent, spentInStep);
  if (accounts.length === 0) return undefined;
  const left: StepBudget = {};
  for (const { budget, usage } of accounts) {
    for (const limit of LIMITS) {
      const max = budget[limit];
      if (max === undefined) continue;
      const remaining = Math.max(0, max - spentOf(usage, limit));
      left[limit] = Math.min(left[limit] ?? remaining, remaining);
    }
  }
  return left;
}

/**
 * Throws the run failure (`FlockRunFailedError`, code `BUDGET_EXCEEDED`,
 * `causeType: 'BudgetExceededError'`, naming `agent`) when what the run
 * (or the agent) spent plus `spentInStep` is past a limit of the run's or
 * the agent's `budget`. Spending exactly the limit is allowed. A workflow
 * that runs a step's model calls one by one calls it before each call,
 * with what the step spent so far.
 *
 * @example
 * checkBudget(plan, state, 'writer', { inputTokens: 900, outputTokens: 200, totalTokens: 1100, modelCalls: 2 });
 */
export function checkBudget(plan: RunPlan, state: RunState, agent: string, spentInStep?: TokenUsage): void {
  const crossing = findCrossing(accountsOf(plan, state, agent, spentInStep), agent, (used, max) => used > max);
  if (crossing) throw budgetFailure(crossing);
}

/**
 * The budget of the step of `agent` about to start, `undefined` without
 * budgets. A model agent (`spends`) with nothing left of a limit fails the
 * run before its step, which could only cross it; other agents run (their
 * routers' spending is checked after the step).
 */
export function stepBudget(plan: RunPlan, state: RunState, agent: string, spends: boolean): StepBudget | undefined {
  const accounts = accountsOf(plan, state, agent, undefined);
  if (accounts.length === 0) return undefined;
  const spent = spends ? findCrossing(accounts, agent, (used, max) => used >= max) : undefined;
  if (spent) throw budgetFailure({ ...spent, beforeStep: true });
  return budgetLeft(plan, state, agent);
}

/** Adds a step's usage to its agent's, kept only for agents that have a budget. */
export function addAgentUsage(plan: RunPlan, state: RunState, agent: string, usage: TokenUsage | undefined): void {
  if (!usage || !plan.agents.get(agent)?.budget) return;
  const total = sumUsage([state.agentUsage?.[agent], usage]) as TokenUsage;
  state.agentUsage = { ...state.agentUsage, [agent]: total };
}
