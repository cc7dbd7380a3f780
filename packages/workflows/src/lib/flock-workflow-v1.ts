import type { AgentDefinition, FlockDefinition } from '@flock-ts/config';
import {
  FLOCK_SEARCH_ATTRIBUTES,
  FlockFailureType,
  WORKFLOW_PATCHES,
  flockStatusQueryV1,
  type FlockRunPhase,
  type FlockRunResultV1,
  type FlockRunStatusV1,
  type FlockWorkflowInputV1,
  type RunStateV1,
  type TokenUsageV1,
} from '@flock-ts/contracts';
import { ApplicationFailure, isCancellation, patched, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { activitiesFor } from './activity-proxies';

/**
 * A run of a Flock (contract version 1), frozen: kept so that v1 runs in
 * flight finish and their histories replay. New runs start
 * `FlockWorkflowV2`. Each agent evaluation is one
 * `evaluateAgent` activity scheduled with the agent's activity options;
 * static hand-offs are decided here, code and router hand-offs by the
 * `routeNextAgent` activity. The run follows the definition snapshot it was
 * started with, whatever the deployed code does later.
 */
export async function FlockWorkflow(rawInput: FlockWorkflowInputV1): Promise<FlockRunResultV1> {
  const input = parseInput(rawInput);
  const definition = input.definition;
  const agents = new Map(definition.agents.map((agent) => [agent.name, agent]));
  const state: RunStateV1 = {
    runId: input.runId,
    sessionId: input.sessionId,
    flockName: definition.name,
    startAgent: input.startAgent,
    input: input.input,
    history: [],
    variables: {},
    iteration: 0,
  };
  let phase: FlockRunPhase = 'running';
  let currentAgent: string | null = input.startAgent;
  setHandler(flockStatusQueryV1, (): FlockRunStatusV1 => ({
    runId: state.runId,
    flockName: state.flockName,
    phase,
    currentAgent,
    stepsDone: state.history.length,
    history: state.history,
    workflowVersion: 1,
  }));

  if (patched(WORKFLOW_PATCHES.runPhaseAtStart)) {
    upsertSearchAttributes([{ key: FLOCK_SEARCH_ATTRIBUTES.FlockRunPhase, value: phase }]);
  }

  try {
    requireAgent(agents, input.startAgent, 'start agent');
    while (currentAgent !== null) {
      const agent = requireAgent(agents, currentAgent, 'hand-off target');
      if (state.iteration >= definition.maxIterations) throw maxIterationsFailure(definition, state);
      upsertSearchAttributes([{ key: FLOCK_SEARCH_ATTRIBUTES.CurrentAgent, value: agent.name }]);
      const activities = activitiesFor(definition, agent);
      const outcome = await runStep(agent.name, () => activities.evaluateAgent({ flockName: definition.name, agentName: agent.name, state }));
      state.history.push(outcome.record);
      state.variables = outcome.variables;
      state.iteration += 1;
      currentAgent = await nextAgent(definition, agent, outcome.record.output, state);
    }
    phase = 'completed';
  } catch (error) {
    phase = isCancellation(error) ? 'cancelled' : 'failed';
    throw error;
  } finally {
    currentAgent = null;
    upsertSearchAttributes([{ key: FLOCK_SEARCH_ATTRIBUTES.FlockRunPhase, value: phase }]);
  }

  const last = state.history[state.history.length - 1];
  return {
    runId: state.runId,
    flockName: state.flockName,
    lastAgent: last.agent,
    output: last.output,
    steps: state.history,
    variables: state.variables,
    usage: sumUsage(state),
  };
}

function parseInput(raw: FlockWorkflowInputV1) {
  // v1 keeps its exact zod parse (histories replay against it), loaded only by v1 runs: a static
  // import would make the sandbox rebuild the schemas for every workflow, v2 ones included
  const { FlockWorkflowInputV1Schema } = require('@flock-ts/contracts/schemas') as typeof import('@flock-ts/contracts/schemas');
  const parsed = FlockWorkflowInputV1Schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw ApplicationFailure.create({
    type: FlockFailureType.InvalidWorkflowInput,
    message: `Invalid FlockWorkflow input: ${issues}`,
    nonRetryable: true,
  });
}

function requireAgent(agents: Map<string, AgentDefinition>, name: string, role: string): AgentDefinition {
  const agent = agents.get(name);
  if (agent) return agent;
  throw ApplicationFailure.create({
    type: FlockFailureType.UnknownAgent,
    message: `Unknown ${role} "${name}" (known agents: ${[...agents.keys()].join(', ') || 'none'})`,
    nonRetryable: true,
    details: [{ agent: name }],
  });
}

async function nextAgent(definition: FlockDefinition, agent: AgentDefinition, output: Record<string, unknown>, state: RunStateV1): Promise<string | null> {
  const next = agent.next;
  if (!next) return null;
  if (next.kind === 'static') return next.agent;
  const activities = activitiesFor(definition, agent);
  const decision = await runStep(agent.name, () => activities.routeNextAgent({ flockName: definition.name, agentName: agent.name, output, state }));
  // a router's model tokens count in the run, on the step that routed
  if (decision.usage) state.history[state.history.length - 1].routingUsage = decision.usage;
  return decision.nextAgent;
}

/** Runs an activity of `agent`; a failure fails the run, naming the agent and the cause. */
async function runStep<T>(agent: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isCancellation(error)) throw error;
    const cause = rootCause(error);
    throw ApplicationFailure.create({
      type: FlockFailureType.AgentFailed,
      // core's errors already name the agent; say it once
      message: cause.message.includes(`"${agent}"`) ? cause.message : `Agent "${agent}" failed: ${cause.message}`,
      nonRetryable: true,
      cause: error as Error,
      details: [{ agent, causeType: cause.type }],
    });
  }
}

function rootCause(error: unknown): { message: string; type?: string } {
  let current = error as { message?: string; cause?: unknown; type?: string; name?: string } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return { message: current?.message ?? String(error), type: current?.type ?? current?.name };
}

function maxIterationsFailure(definition: FlockDefinition, state: RunStateV1): ApplicationFailure {
  const path = state.history.map((step) => step.agent).slice(-10);
  return ApplicationFailure.create({
    type: FlockFailureType.MaxIterationsExceeded,
    message:
      `Flock "${definition.name}" reached maxIterations (${definition.maxIterations}) without finishing; ` +
      `last agents: ${path.join(' -> ')}. A hand-off cycle? Raise maxIterations or end the cycle.`,
    nonRetryable: true,
  });
}

function sumUsage(state: RunStateV1): TokenUsageV1 | undefined {
  const usages = state.history.flatMap((step) => [step.usage, step.routingUsage].filter((u): u is TokenUsageV1 => u !== undefined));
  if (usages.length === 0) return undefined;
  return usages.reduce((a, b) => ({
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  }));
}
