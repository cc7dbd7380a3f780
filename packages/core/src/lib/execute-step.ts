import type { Agent } from './agent';
import type { Component, StepEnd } from './component';
import { fingerprintDifferences, type StepFingerprint } from '@flock-ts/engine';
import { AgentContext, stepIdempotencyKey, type StepView } from './context';
import { AgentExecutionError, AgentOutputValidationError, ComponentError, DefinitionDriftError, ToolError, type ComponentHook } from './errors';
import type { EvaluationResult } from './evaluator';
import type { Flock } from './flock';
import type { MetricSink } from './metric';
import { validateAgentInputs, validateAgentOutput } from './resolve-inputs';
import { resolveHandoff } from './resolve-next';
import type { StepRecord, StepRequest, StepResult } from './run-state';
import type { Tool } from './tool';

/** Options of one agent step. */
export interface StepOptions {
  signal?: AbortSignal;
  /** Reports liveness (Temporal activity heartbeat). */
  heartbeat?: (details?: unknown) => void;
  /** 1 for the first try (Temporal passes its attempt number). */
  attempt?: number;
  /** Receives the step's `ctx.metric()` reports. */
  metric?: MetricSink;
  /** Decide `code` and `router` hand-offs in the step (default true; contract v1 routed in a separate activity). */
  decideHandoff?: boolean;
  /** Receives the text the step streams (`ctx.emitText`, model tokens) for the run's followers. */
  onText?: (delta: string) => void;
}

const NO_TOOLS: Tool[] = [];

async function callHook<T>(component: Component, hook: ComponentHook, agent: Agent, run: () => T): Promise<Awaited<T>> {
  try {
    return await run();
  } catch (error) {
    throw new ComponentError(component.name, agent.name, hook, error);
  }
}

function toolsOf(flock: Flock, agent: Agent): Tool[] {
  return agent.toolNames.length ? agent.toolNames.map((name) => flock.tool(name)) : NO_TOOLS;
}

async function evaluate(
  flock: Flock,
  agent: Agent,
  inputs: Record<string, unknown>,
  context: AgentContext,
  options: StepOptions,
  { response, budget }: Pick<StepRequest, 'response' | 'budget'>,
) {
  let result: EvaluationResult;
  try {
    result = await agent.evaluator.evaluate({
      agent,
      inputs,
      context,
      tools: toolsOf(flock, agent),
      signal: options.signal,
      heartbeat: options.heartbeat,
      ...(options.onText ? { onText: (delta: string) => context.emitText(delta) } : {}),
      ...(response ? { response } : {}),
      ...(budget ? { budget } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    // A tool failure already names the tool and the agent; wrapping it would hide its type from retry policies.
    if (error instanceof ToolError) throw error;
    throw new AgentExecutionError(agent.name, error);
  }
  if (typeof result !== 'object' || result === null || !('output' in result)) {
    throw new AgentOutputValidationError(agent.name, '', [{ path: '', message: 'the evaluator must resolve to { output, usage? }' }]);
  }
  return result;
}

/** Runs `onError` hooks; their own failures never replace the step's failure. */
async function notifyError(components: readonly Component[], error: unknown, context: AgentContext): Promise<void> {
  for (const component of components) {
    if (!component.onError) continue;
    try {
      await component.onError(error, context);
    } catch {
      // The original failure is what the caller must see.
    }
  }
}

/** Runs every `onTerminate` hook; returns the first failure. */
async function terminate(agent: Agent, context: AgentContext, end: StepEnd): Promise<ComponentError | undefined> {
  let first: ComponentError | undefined;
  for (const component of agent.components) {
    if (!component.onTerminate) continue;
    try {
      await component.onTerminate(context, end);
    } catch (error) {
      first ??= new ComponentError(component.name, agent.name, 'onTerminate', error);
    }
  }
  return first;
}

/** Hooks before the evaluation: `onInitialize`, input validation, `onPreEvaluate`. Returns the inputs the evaluator gets. */
async function beforeEvaluation(agent: Agent, resolved: Record<string, unknown>, context: AgentContext): Promise<Record<string, unknown>> {
  for (const component of agent.components) {
    if (component.onInitialize) await callHook(component, 'onInitialize', agent, () => component.onInitialize?.(context));
  }
  let inputs = validateAgentInputs(agent, resolved);
  for (const component of agent.components) {
    if (!component.onPreEvaluate) continue;
    const replaced = await callHook(component, 'onPreEvaluate', agent, () => component.onPreEvaluate?.(inputs, context));
    if (replaced !== undefined) inputs = validateAgentInputs(agent, replaced);
  }
  return inputs;
}

/** Hooks after the evaluation: output validation, `onPostEvaluate`. Returns the step's output. */
async function afterEvaluation(agent: Agent, evaluated: Record<string, unknown>, inputs: Record<string, unknown>, context: AgentContext): Promise<Record<string, unknown>> {
  let output = validateAgentOutput(agent, evaluated);
  for (const component of agent.components) {
    if (!component.onPostEvaluate) continue;
    const replaced = await callHook(component, 'onPostEvaluate', agent, () => component.onPostEvaluate?.(output, context, inputs));
    if (replaced !== undefined) output = validateAgentOutput(agent, replaced);
  }
  return output;
}

/** Refuses a step planned against another definition than this flock's, before any work. */
function checkFingerprint(flock: Flock, agentName: string, planned: StepFingerprint | undefined): void {
  if (!planned) return;
  if (!flock.hasAgent(agentName)) {
    throw new DefinitionDriftError(agentName, [`"${agentName}" is not an agent of this worker's flock (its agents: ${flock.agentNames().join(', ') || 'none'})`]);
  }
  const differences = fingerprintDifferences(agentName, planned, flock.stepFingerprint(agentName));
  if (differences.length) throw new DefinitionDriftError(agentName, differences);
}

function stepView(request: StepRequest): StepView {
  const view: StepView = {
    runId: request.runId,
    flockName: request.flockName,
    step: request.step,
    variables: request.variables,
    idempotencyKey: stepIdempotencyKey(request.runId, request.step, request.agent),
  };
  if (request.sessionId !== undefined) view.sessionId = request.sessionId;
  if (request.input !== undefined) view.input = request.input;
  if (request.history !== undefined) view.history = request.history;
  if (request.review !== undefined) view.review = request.review;
  return view;
}

/** What routing sees: the run just after this step (the agent's history window moved on by it). */
function viewAfter(agent: Agent, view: StepView, record: StepRecord, variables: Record<string, unknown>): StepView {
  const after: StepView = { ...view, step: view.step + 1, variables };
  if (view.history !== undefined) {
    const window = agent.context?.history ?? view.history.length;
    const moved = [...view.history, record];
    after.history = moved.length > window ? moved.slice(moved.length - window) : moved;
  }
  return after;
}

/**
 * Runs one agent step from its request: checks that the request was planned
 * against this flock's definition, validates the resolved inputs, runs the
 * component hooks around the evaluator, validates the output, then (for
 * `code` and `router` hand-offs) decides the next agent. The one step
 * function of both executors: in-process and inside the Temporal activity.
 *
 * Rejects with `DefinitionDriftError` (before any work), `AgentInputValidationError`,
 * `AgentOutputValidationError`, `AgentExecutionError` (evaluator threw;
 * `causeName` keeps the cause's name), `ToolError`, `ComponentError`,
 * `RoutingError` or `UnknownAgentError`; with the signal's reason when aborted.
 *
 * @example
 * const result = await executeStep(flock, nextStep(plan, state)!);
 */
export async function executeStep(flock: Flock, request: StepRequest, options: StepOptions = {}): Promise<StepResult> {
  checkFingerprint(flock, request.agent, request.fingerprint);
  const { agent, context } = stepContext(flock, request, options);
  const startedAt = new Date().toISOString();
  let output: Record<string, unknown>;
  let usage: StepResult['usage'];
  try {
    const inputs = await beforeEvaluation(agent, request.inputs, context);
    const result = await evaluate(flock, agent, inputs, context, options, request);
    usage = result.usage;
    output = await afterEvaluation(agent, result.output, inputs, context);
  } catch (error) {
    if (agent.components.length) {
      await notifyError(agent.components, error, context);
      await terminate(agent, context, { error });
    }
    throw error;
  }
  return endStep(flock, agent, request, context, { output, usage, startedAt }, options);
}

/** The agent and the context of a step (the context writes to its own copy of the variables). */
export function stepContext(flock: Flock, request: StepRequest, options: StepOptions = {}): { agent: Agent; context: AgentContext } {
  const agent = flock.agent(request.agent);
  options.signal?.throwIfAborted();
  const context = new AgentContext({
    flock,
    agent,
    view: stepView(request),
    variables: { ...request.variables },
    attempt: options.attempt ?? 1,
    signal: options.signal,
    heartbeat: options.heartbeat,
    metric: options.metric,
    onText: options.onText,
  });
  return { agent, context };
}

/** `onTerminate` hooks, the result, and the `code`/`router` hand-off. */
async function endStep(
  flock: Flock,
  agent: Agent,
  request: StepRequest,
  context: AgentContext,
  step: { output: Record<string, unknown>; usage?: StepResult['usage']; startedAt: string },
  options: StepOptions,
): Promise<StepResult> {
  if (agent.components.length) {
    const failure = await terminate(agent, context, { output: step.output });
    if (failure) throw failure;
  }
  const variables = context.variables as Record<string, unknown>;
  const result: StepResult = { output: step.output, variables, startedAt: step.startedAt, finishedAt: new Date().toISOString(), attempt: context.attempt };
  if (step.usage) result.usage = step.usage;
  const kind = agent.handoff?.kind;
  if ((kind === 'code' || kind === 'router') && options.decideHandoff !== false) {
    const record: StepRecord = { step: request.step, agent: agent.name, inputs: request.inputs, output: step.output, startedAt: step.startedAt, finishedAt: result.finishedAt };
    const decision = await resolveHandoff(flock, agent.name, step.output, viewAfter(agent, stepView(request), record, variables));
    result.nextAgent = decision.nextAgent;
    if (decision.usage) result.routingUsage = decision.usage;
  }
  return result;
}

/**
 * Whether a step of `agent` has work after its evaluation besides
 * validating the output: `onPostEvaluate`/`onTerminate` hooks, or a
 * `code`/`router` hand-off. A step recorded call by call without any ends
 * in its last model call; with some, in a call of {@link finishStep}.
 */
export function hasWorkAfterEvaluation(agent: Agent): boolean {
  const kind = agent.handoff?.kind;
  return kind === 'code' || kind === 'router' || agent.components.some((component) => component.onPostEvaluate !== undefined || component.onTerminate !== undefined);
}

/** What {@link beginStep} returns: the step's agent and context, the evaluator's inputs, and the variables after the hooks. */
export interface BegunAgentStep {
  agent: Agent;
  context: AgentContext;
  inputs: Record<string, unknown>;
  variables: Record<string, unknown>;
  startedAt: string;
}

/**
 * The first part of a step recorded call by call (`durability: 'call'`),
 * before its first model call: the fingerprint checked, `onInitialize`,
 * input validation and `onPreEvaluate` run.
 */
export async function beginStep(flock: Flock, request: StepRequest, options: StepOptions = {}): Promise<BegunAgentStep> {
  checkFingerprint(flock, request.agent, request.fingerprint);
  const { agent, context } = stepContext(flock, request, options);
  const startedAt = new Date().toISOString();
  const inputs = await beforeEvaluation(agent, request.inputs, context);
  return { agent, context, inputs, variables: context.variables as Record<string, unknown>, startedAt };
}

/**
 * The last part of a step recorded call by call, once its model answered:
 * output validation, `onPostEvaluate` and `onTerminate` hooks, and the
 * `code`/`router` hand-off. `request.inputs` are the inputs the evaluator
 * got, `request.variables` the variables after the step's tool calls.
 */
export async function finishStep(
  flock: Flock,
  request: StepRequest,
  evaluated: { output: Record<string, unknown>; startedAt: string },
  options: StepOptions = {},
): Promise<StepResult> {
  const { agent, context } = stepContext(flock, request, options);
  const output = await afterEvaluation(agent, evaluated.output, request.inputs, context);
  return endStep(flock, agent, request, context, { output, startedAt: evaluated.startedAt }, options);
}
