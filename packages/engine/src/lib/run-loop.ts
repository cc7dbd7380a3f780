import type { AgentDefinition, ApprovalSpec, BudgetSpec, FlockDefinition, HandoffSpec, SignatureSpec } from '@flock-ts/config';
import { parseSignature } from '@flock-ts/config/sandbox';
import { addAgentUsage, failOnCrossing, stepBudget } from './budget';
import { FlockRunFailedError, RUN_FAILURE_TYPES, type FlockRunErrorCode } from './errors';
import { agentSetDigest, stepFingerprint } from './fingerprint';
import {
  RECENT_STEPS,
  type RunResult,
  type RunStart,
  type RunState,
  type StepFingerprint,
  type StepRecord,
  type StepRequest,
  type StepResult,
  type StepSummary,
} from './run-types';
import { sumUsage } from './usage';

// The run loop, once for every executor: decide the agent, build the step
// request, apply the step result, decide the hand-off. Pure and
// sandbox-safe: the local executor and the Temporal workflow drive it, so
// they cannot disagree.

/** What the run loop needs of one agent. */
export interface AgentPlan {
  name: string;
  /** Input field names, in signature order. */
  inputFields: readonly string[];
  next: HandoffSpec | undefined;
  /** Latest steps the agent sees (`context.history`). */
  history: number;
  /** Whether the step carries the run input (`context.input`). */
  input: boolean;
  fingerprint: StepFingerprint;
  /** The output signature (a person's answer is checked against it). */
  output: SignatureSpec;
  /** Set for an agent whose output a person gives. */
  human?: { prompt?: string; timeoutSeconds?: number; fallback?: Record<string, unknown> };
  /** Set for an agent whose outputs a person approves. */
  approval?: ApprovalSpec;
  /** What the agent's steps may spend together over the run (its `budget`). */
  budget?: BudgetSpec;
  /** Set for a model agent: its steps call a model. */
  model?: true;
}

/** A flock definition, prepared for running: made once per run (or per executor), read by every step. */
export interface RunPlan {
  flockName: string;
  maxIterations: number;
  agents: ReadonlyMap<string, AgentPlan>;
  agentNames: readonly string[];
  /** Whole steps the run keeps: the largest `context.history` of its agents. */
  tailSize: number;
  /** What the whole run may spend, all agents and routing decisions together (the flock's `budget`). */
  budget?: BudgetSpec;
}

/** Field names of a signature: its string syntax, or a JSON Schema's properties. */
export function signatureFieldNames(spec: SignatureSpec): string[] {
  if (typeof spec === 'string') return parseSignature(spec).map((field) => field.name);
  const properties = (spec.jsonSchema as { properties?: Record<string, unknown> }).properties;
  return properties ? Object.keys(properties) : [];
}

function planAgent(agent: AgentDefinition, agents: string): AgentPlan {
  const plan: AgentPlan = {
    name: agent.name,
    inputFields: signatureFieldNames(agent.input),
    next: agent.next,
    history: agent.context?.history ?? 0,
    input: agent.context?.input ?? false,
    fingerprint: stepFingerprint(agent, agents),
    output: agent.output,
  };
  if (agent.evaluator.kind === 'human') {
    const { kind: _kind, ...human } = agent.evaluator;
    plan.human = human;
  }
  if (agent.approval) plan.approval = agent.approval;
  if (agent.budget) plan.budget = agent.budget;
  if (agent.evaluator.kind === 'model') plan.model = true;
  return plan;
}

/**
 * Prepares a definition for running.
 *
 * @example
 * const plan = planRun(flock.toDefinition());
 */
export function planRun(definition: FlockDefinition): RunPlan {
  const agents = new Map<string, AgentPlan>();
  const set = agentSetDigest(definition);
  let tailSize = 0;
  for (const agent of definition.agents) {
    const plan = planAgent(agent, set);
    agents.set(agent.name, plan);
    tailSize = Math.max(tailSize, plan.history);
  }
  const plan: RunPlan = { flockName: definition.name, maxIterations: definition.maxIterations, agents, agentNames: [...agents.keys()], tailSize };
  if (definition.budget) plan.budget = definition.budget;
  return plan;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `agent` is the agent at fault: the unknown one itself, or the agent that handed off to it. */
function unknownAgent(plan: RunPlan, name: string, role: string, agent = name): FlockRunFailedError {
  return new FlockRunFailedError(`Unknown ${role} "${name}" (known agents: ${plan.agentNames.join(', ') || 'none'})`, {
    code: 'UNKNOWN_AGENT',
    agent,
    causeType: RUN_FAILURE_TYPES.UNKNOWN_AGENT,
  });
}

/**
 * The state of a run that has not started. Throws `FlockRunFailedError`
 * (`UNKNOWN_AGENT`, `INVALID_RUN_INPUT`) before any step runs.
 */
export function startRun(plan: RunPlan, start: RunStart): RunState {
  if (!plan.agents.has(start.startAgent)) throw unknownAgent(plan, start.startAgent, 'start agent');
  if (!isPlainRecord(start.input)) {
    throw new FlockRunFailedError('Invalid run input: the run input must be an object of named values', { code: 'INVALID_RUN_INPUT' });
  }
  const state: RunState = {
    runId: start.runId,
    flockName: plan.flockName,
    startAgent: start.startAgent,
    input: { ...start.input },
    variables: {},
    fields: {},
    next: start.startAgent,
    stepCount: 0,
    lastOutputKeys: [],
    recent: [],
    tail: [],
  };
  if (start.sessionId !== undefined) state.sessionId = start.sessionId;
  return state;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** The newest value of `field`: newest step output that has it, else the run input, else the variables. */
function lookup(field: string, state: RunState): unknown {
  if (hasOwn.call(state.fields, field)) return state.fields[field];
  if (hasOwn.call(state.input, field) && state.input[field] !== undefined) return state.input[field];
  if (hasOwn.call(state.variables, field)) return state.variables[field];
  return undefined;
}

/**
 * The request of the run's next step, or `null` when the run has ended.
 * With a `budget` (the run's or the agent's), `request.budget` says what
 * the step may still spend. Throws `FlockRunFailedError`:
 * `MAX_ITERATIONS_EXCEEDED` when `maxIterations` steps ran and another is
 * due, `UNKNOWN_AGENT` for a hand-off to an agent the definition lacks,
 * `BUDGET_EXCEEDED` when nothing is left of a limit the step is under (of
 * a budget that fails the run; one that pauses it is `budgetPause`'s).
 */
export function nextStep(plan: RunPlan, state: RunState): StepRequest | null {
  if (state.next === null) return null;
  const agent = plan.agents.get(state.next);
  if (!agent) throw unknownAgent(plan, state.next, 'hand-off target');
  if (state.stepCount >= plan.maxIterations) {
    const path = state.recent.map((step) => step.agent);
    const cycle = findCycle(path, agent.name);
    throw new FlockRunFailedError(
      `Flock "${plan.flockName}" reached maxIterations (${plan.maxIterations}) before agent "${agent.name}"; ` +
        (cycle.length ? `cycle: ${cycle.join(' -> ')}` : `last agents: ${[...path.slice(-9), agent.name].join(' -> ')}`) +
        '. Raise maxIterations or end the cycle.',
      { code: 'MAX_ITERATIONS_EXCEEDED', agent: agent.name, causeType: RUN_FAILURE_TYPES.MAX_ITERATIONS_EXCEEDED },
    );
  }
  const budget = stepBudget(plan, state, agent.name, agent.model === true);
  const inputs: Record<string, unknown> = {};
  for (const field of agent.inputFields) {
    const value = lookup(field, state);
    if (value !== undefined) inputs[field] = value;
  }
  const request: StepRequest = {
    flockName: state.flockName,
    agent: agent.name,
    runId: state.runId,
    step: state.stepCount,
    inputs,
    variables: state.variables,
    fingerprint: agent.fingerprint,
  };
  if (state.sessionId !== undefined) request.sessionId = state.sessionId;
  if (agent.input) request.input = state.input;
  if (state.review) request.review = state.review;
  if (agent.history > 0) request.history = state.tail.slice(-agent.history);
  if (budget) request.budget = budget;
  return request;
}

/** The agents from the last earlier occurrence of `next` up to and including `next`; `[]` when `next` is not in `path`. */
export function findCycle(path: readonly string[], next: string): string[] {
  const start = path.lastIndexOf(next);
  return start < 0 ? [] : [...path.slice(start), next];
}

/** Where the run goes after `agent`: static hand-offs from the plan, others as the step decided. */
function handoff(plan: RunPlan, agent: AgentPlan, result: StepResult): string | null {
  const next = agent.next;
  if (!next) return null;
  const target = next.kind === 'static' ? next.agent : (result.nextAgent ?? null);
  if (target !== null && !plan.agents.has(target)) throw unknownAgent(plan, target, `hand-off from "${agent.name}" to agent`, agent.name);
  return target;
}

/**
 * The whole record of a finished step: the request's step, agent and inputs
 * with the result, and the agent it handed off to when known (`null`: the
 * run ended there).
 */
export function stepRecordOf(request: StepRequest, result: StepResult, nextAgent?: string | null): StepRecord {
  const record: StepRecord = {
    step: request.step,
    agent: request.agent,
    inputs: request.inputs,
    output: result.output,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
  };
  if (nextAgent !== undefined) record.nextAgent = nextAgent;
  if (result.attempt !== undefined) record.attempt = result.attempt;
  if (result.usage) record.usage = result.usage;
  if (result.routingUsage) record.routingUsage = result.routingUsage;
  return record;
}

/**
 * Applies a finished step to the run state (in place) and returns the whole
 * step record. Throws `FlockRunFailedError`: `UNKNOWN_AGENT` for a
 * hand-off to an agent the definition lacks; `BUDGET_EXCEEDED` when the
 * step (with its routing decision) took the run or its agent past a limit
 * of their `budget`. The state is updated before that failure: the step
 * happened, and what it spent counts. A budget with `onExceeded: 'pause'`
 * does not fail the run here: `budgetPause` finds the crossing at the
 * step boundary after.
 */
export function applyStep(plan: RunPlan, state: RunState, request: StepRequest, result: StepResult): StepRecord {
  const agent = plan.agents.get(request.agent);
  if (!agent) throw unknownAgent(plan, request.agent, 'agent');
  const nextAgent = handoff(plan, agent, result);
  const record = stepRecordOf(request, result, nextAgent);

  const keys: string[] = [];
  for (const key of Object.keys(result.output)) {
    if (result.output[key] === undefined) continue;
    state.fields[key] = result.output[key];
    keys.push(key);
  }
  state.lastAgent = request.agent;
  state.lastOutputKeys = keys;
  delete state.review;
  state.variables = result.variables;
  state.stepCount = request.step + 1;
  state.next = nextAgent;
  const usage = sumUsage([state.usage, result.usage, result.routingUsage]);
  if (usage) state.usage = usage;
  // a router's choice is the run's spending; an agent's budget counts its own steps
  addAgentUsage(plan, state, request.agent, result.usage);
  state.recent.push(stepSummary(record));
  if (state.recent.length > RECENT_STEPS) state.recent.splice(0, state.recent.length - RECENT_STEPS);
  if (plan.tailSize > 0) {
    state.tail.push(record);
    if (state.tail.length > plan.tailSize) state.tail.splice(0, state.tail.length - plan.tailSize);
  }
  failOnCrossing(plan, state, request.agent);
  return record;
}

/** A step without its data: what results and status keep. */
export function stepSummary({ inputs: _inputs, output: _output, ...summary }: StepRecord): StepSummary {
  return summary;
}

/** The output of the run's latest step. */
export function lastOutput(state: RunState): Record<string, unknown> {
  const output: Record<string, unknown> = {};
  for (const key of state.lastOutputKeys) output[key] = state.fields[key];
  return output;
}

/** The result of an ended run: bounded, whatever its length. */
export function runResult(state: RunState): RunResult {
  if (state.lastAgent === undefined) throw new FlockRunFailedError(`Run "${state.runId}" has no finished step`, { code: 'AGENT_FAILED' });
  const result: RunResult = {
    runId: state.runId,
    flockName: state.flockName,
    lastAgent: state.lastAgent,
    output: lastOutput(state),
    variables: state.variables,
    stepCount: state.stepCount,
    steps: state.recent,
  };
  if (state.sessionId !== undefined) result.sessionId = state.sessionId;
  if (state.usage) result.usage = state.usage;
  return result;
}

/** Error names (of a step's root cause) that have their own run error code. */
const CAUSE_CODES: Record<string, FlockRunErrorCode> = {
  [RUN_FAILURE_TYPES.PAYLOAD_TOO_LARGE]: 'PAYLOAD_TOO_LARGE',
  [RUN_FAILURE_TYPES.DEFINITION_DRIFT]: 'DEFINITION_DRIFT',
  [RUN_FAILURE_TYPES.UNKNOWN_AGENT]: 'UNKNOWN_AGENT',
  [RUN_FAILURE_TYPES.BUDGET_EXCEEDED]: 'BUDGET_EXCEEDED',
};

/**
 * The run failure of a step that failed (after its retries), naming the
 * agent once: its message already does when it came from Flock's own errors.
 *
 * @example
 * throw stepFailure('writer', { name: 'ToolError', message: 'Tool "search" of agent "writer" failed: timeout' }, error);
 */
export function stepFailure(agent: string, root: { name?: string; message: string }, cause?: unknown): FlockRunFailedError {
  const message = root.message.includes(`"${agent}"`) ? root.message : `Agent "${agent}" failed: ${root.message}`;
  const code = (root.name && CAUSE_CODES[root.name]) || 'AGENT_FAILED';
  return new FlockRunFailedError(message, { code, agent, causeType: root.name, cause });
}
