import type { AgentDefinition, FlockDefinition } from '@flock-ts/config';
import { resolveActivityConfig } from '@flock-ts/config/sandbox';
import { FLOCK_WORKFLOW_TYPE, toActivityOptions, toLocalActivityOptions, withoutLocalStepEcho, type FlockActivities } from '@flock-ts/contracts';
import { proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';

/**
 * One proxy per agent of this run (its activity options never change during
 * a run). A WeakMap keyed by the run's own definition: two runs never share
 * proxies, even of flocks with the same name but other activity options.
 */
const proxiesByRun = new WeakMap<FlockDefinition, Map<string, FlockActivities>>();

/**
 * The activities of `agent`'s steps, scheduled with the agent's options over
 * the flock's `activityDefaults`: local activities (`proxyLocalActivities`,
 * same timeouts and retry policy) for an agent whose resolved config says
 * `local: true`, regular ones otherwise.
 *
 * Determinism: whether an agent's steps are local comes from the run's
 * definition, which is fixed in the run's input (and carried unchanged into
 * continue-as-new), so an agent never changes kind within a run and its
 * replay schedules the same commands: no patch is needed. Runs of the
 * frozen v1 workflow (`FlockWorkflow`) always schedule regular activities,
 * whatever the definition says.
 */
export function activitiesFor(definition: FlockDefinition, agent: AgentDefinition): FlockActivities {
  let proxies = proxiesByRun.get(definition);
  if (!proxies) proxiesByRun.set(definition, (proxies = new Map()));
  let proxy = proxies.get(agent.name);
  if (!proxy) {
    const config = resolveActivityConfig(definition.temporalConfig.activityDefaults, agent.temporalActivityConfig);
    // FLOCK_WORKFLOW_TYPE is the v1 workflow's type
    const local = config.local && workflowInfo().workflowType !== FLOCK_WORKFLOW_TYPE;
    proxy = local ? localActivities(toLocalActivityOptions(config, agent.name)) : proxyActivities<FlockActivities>(toActivityOptions(config, agent.name));
    proxies.set(agent.name, proxy);
  }
  return proxy;
}

/**
 * Whether `agent`'s steps are recorded call by call (`durability: 'call'`,
 * resolved over `activityDefaults`): only model agents have calls to
 * record, and only contract v2 runs them so. Fixed by the run's definition,
 * like {@link activitiesFor}: no patch is needed.
 */
export function recordsCalls(definition: FlockDefinition, agent: AgentDefinition): boolean {
  if (agent.evaluator.kind !== 'model' || workflowInfo().workflowType === FLOCK_WORKFLOW_TYPE) return false;
  return resolveActivityConfig(definition.temporalConfig.activityDefaults, agent.temporalActivityConfig).durability === 'call';
}

/** Local activities whose step results come without the echo that is there for the run's readers (see `LocalStepEcho`). */
function localActivities(options: Parameters<typeof proxyLocalActivities>[0]): FlockActivities {
  const local = proxyLocalActivities<FlockActivities>(options);
  return {
    runAgentStep: async (request) => withoutLocalStepEcho(await local.runAgentStep(request)),
    callAgentModel: (input) => local.callAgentModel(input),
    callAgentTool: (input) => local.callAgentTool(input),
    finishAgentStep: (input) => local.finishAgentStep(input),
    evaluateAgent: (input) => local.evaluateAgent(input),
    routeNextAgent: (input) => local.routeNextAgent(input),
  };
}
