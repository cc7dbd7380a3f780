import { resolveActivityConfig, type AgentDefinition, type FlockDefinition } from '@flock-ts/config';
import { toActivityOptions, type FlockActivities } from '@flock-ts/contracts';
import { proxyActivities } from '@temporalio/workflow';

/**
 * One proxy per agent of this run (its activity options never change during
 * a run). A WeakMap keyed by the run's own definition: two runs never share
 * proxies, even of flocks with the same name but other activity options.
 */
const proxiesByRun = new WeakMap<FlockDefinition, Map<string, FlockActivities>>();

/** The activities of `agent`'s steps, scheduled with the agent's options over the flock's `activityDefaults`. */
export function activitiesFor(definition: FlockDefinition, agent: AgentDefinition): FlockActivities {
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
