import { resolveActivityConfig, type AgentDefinition, type FlockDefinition } from '@flock-ts/config';
import {
  FLOCK_SEARCH_ATTRIBUTES,
  FlockFailureType,
  FlockWorkflowInputSchema,
  LATEST_WORKFLOW_VERSION,
  WORKFLOW_PATCHES,
  flockStatusQuery,
  toActivityOptions,
  type FlockActivities,
  type FlockRunPhase,
  type FlockRunResult,
  type FlockRunStatus,
  type FlockWorkflowInput,
  type RunState,
  type TokenUsage,
} from '@flock-ts/contracts';
import {
  ApplicationFailure,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,

} from '@temporalio/workflow';

/**
 * A run of a Flock (contract version 1). Each agent evaluation is one
 * `evaluateAgent` activity scheduled with the agent's activity options;
 * static hand-offs are decided here, code and router hand-offs by the
 * `routeNextAgent` activity. The run follows the definition snapshot it was
 * started with, whatever the deployed code does later.
 */
export async function FlockWorkflow(rawInput: FlockWorkflowInput): Promise<FlockRunResult> {
  const input = parseInput(rawInput);
  const definition = input.definition;
  const agents = new Map(definition.agents.map((agent) => [agent.name, agent]));
  const state: RunState = {
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
  setHandler(
    flockStatusQuery,
    (): FlockRunStatus => ({
      runId: state.runId,
      flockName: state.flockName,
      phase,
      currentAgent,
      stepsDone: state.history.length,
      history: state.history,
      workflowVersion: LATEST_WORKFLOW_VERSION,
    }),
  );

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
      const outcome = await runStep(agent.name, () =>
        activities.evaluateAgent({ flockName: definition.name, agentName: agent.name, state }),
      );
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

function parseInput(raw: FlockWorkflowInput) {
  const parsed = FlockWorkflowInputSchema.safeParse(raw);
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

/**
 * One proxy per agent of this run (its activity options never change during
 * a run). A WeakMap keyed by the run's own definition: two runs never share
 * proxies, even of flocks with the same name but other activity options.
 */
const proxiesByRun = new WeakMap<FlockDefinition, Map<string, FlockActivities>>();

function activitiesFor(definition: FlockDefinition, agent: AgentDefinition): FlockActivities {
  let proxies = proxiesByRun.get(definition);
  if (!proxies) proxiesByRun.set(definition, (proxies = new Map()));
  let proxy = proxies.get(agent.name);
  if (!proxy) {
    const config = resolveActivityConfig(definition.temporalConfig.activityDefaults, agent.temporalActivityConfig);
    proxy = proxyActivities<FlockActivities>(toActivityOptions(config, agent.name));
    proxies.set(agent.name, proxy);
  }
  return proxy;
}

async function nextAgent(
  definition: FlockDefinition,
  agent: AgentDefinition,
  output: Record<string, unknown>,
  state: RunState,
): Promise<string | null> {
  const next = agent.next;
  if (!next) return null;
  if (next.kind === 'static') return next.agent;
  const activities = activitiesFor(definition, agent);
  const decision = await runStep(agent.name, () =>
    activities.routeNextAgent({ flockName: definition.name, agentName: agent.name, output, state }),
  );
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

function maxIterationsFailure(definition: FlockDefinition, state: RunState): ApplicationFailure {
  const path = state.history.map((step) => step.agent).slice(-10);
  return ApplicationFailure.create({
    type: FlockFailureType.MaxIterationsExceeded,
    message:
      `Flock "${definition.name}" reached maxIterations (${definition.maxIterations}) without finishing; ` +
      `last agents: ${path.join(' -> ')}. A hand-off cycle? Raise maxIterations or end the cycle.`,
    nonRetryable: true,
  });
}

function sumUsage(state: RunState): TokenUsage | undefined {
  const usages = state.history.flatMap((step) => [step.usage, step.routingUsage].filter((u): u is TokenUsage => u !== undefined));
  if (usages.length === 0) return undefined;
  return usages.reduce((a, b) => ({
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  }));
}

