import type { Agent } from './agent';
import type { Component, StepEnd } from './component';
import { AgentContext } from './context';
import { AgentExecutionError, AgentOutputValidationError, ComponentError, errorName, type ComponentHook } from './errors';
import type { EvaluationResult } from './evaluator';
import type { Flock } from './flock';
import type { MetricSink } from './metric';
import { resolveAgentInputs, validateAgentInputs, validateAgentOutput } from './resolve-inputs';
import type { RunState, StepRecord } from './run-state';
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
}

/** What one agent step produced: its record and the run variables after it. */
export interface StepOutcome {
  record: StepRecord;
  variables: Record<string, unknown>;
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

async function evaluate(flock: Flock, agent: Agent, inputs: Record<string, unknown>, context: AgentContext, options: StepOptions) {
  let result: EvaluationResult;
  try {
    result = await agent.evaluator.evaluate({
      agent,
      inputs,
      context,
      tools: toolsOf(flock, agent),
      signal: options.signal,
      heartbeat: options.heartbeat,
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    // A tool failure already names the tool and the agent; wrapping it would hide its type from retry policies.
    if (errorName(error) === 'ToolError') throw error;
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

async function runStep(flock: Flock, agent: Agent, state: RunState, context: AgentContext, options: StepOptions) {
  const components = agent.components;
  for (const component of components) {
    if (component.onInitialize) await callHook(component, 'onInitialize', agent, () => component.onInitialize?.(context));
  }
  let inputs = resolveAgentInputs(agent, state);
  for (const component of components) {
    if (!component.onPreEvaluate) continue;
    const replaced = await callHook(component, 'onPreEvaluate', agent, () => component.onPreEvaluate?.(inputs, context));
    if (replaced !== undefined) inputs = validateAgentInputs(agent, replaced);
  }
  const result = await evaluate(flock, agent, inputs, context, options);
  let output = validateAgentOutput(agent, result.output);
  for (const component of components) {
    if (!component.onPostEvaluate) continue;
    const replaced = await callHook(component, 'onPostEvaluate', agent, () => component.onPostEvaluate?.(output, context, inputs));
    if (replaced !== undefined) output = validateAgentOutput(agent, replaced);
  }
  return { inputs, output, usage: result.usage };
}

/**
 * Runs one agent step against a run state without mutating it: resolves and
 * validates the inputs, runs the component hooks around the evaluator,
 * validates the output. The shared building block of the local executor and
 * of the Temporal activity.
 *
 * Rejects with `AgentInputValidationError`, `AgentOutputValidationError`,
 * `AgentExecutionError` (evaluator threw; `causeName` keeps the cause's name),
 * `ToolError` or `ComponentError`; with the signal's reason when aborted.
 *
 * @example
 * const { record, variables } = await executeAgentStep(flock, 'reader', state);
 * state.history.push(record);
 * state.variables = variables;
 */
export async function executeAgentStep(flock: Flock, agentName: string, state: RunState, options: StepOptions = {}): Promise<StepOutcome> {
  const agent = flock.agent(agentName);
  options.signal?.throwIfAborted();
  const attempt = options.attempt ?? 1;
  const variables = { ...state.variables };
  const context = new AgentContext({ flock, agent, state, variables, attempt, signal: options.signal, heartbeat: options.heartbeat, metric: options.metric });
  const startedAt = new Date().toISOString();
  let step: Awaited<ReturnType<typeof runStep>>;
  try {
    step = await runStep(flock, agent, state, context, options);
  } catch (error) {
    if (agent.components.length) {
      await notifyError(agent.components, error, context);
      await terminate(agent, context, { error });
    }
    throw error;
  }
  if (agent.components.length) {
    const failure = await terminate(agent, context, { output: step.output });
    if (failure) throw failure;
  }
  const record: StepRecord = { agent: agent.name, inputs: step.inputs, output: step.output, startedAt, finishedAt: new Date().toISOString(), attempt };
  if (step.usage) record.usage = step.usage;
  return { record, variables };
}
