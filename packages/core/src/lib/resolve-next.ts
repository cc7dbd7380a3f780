import type { Agent } from './agent';
import { AgentContext } from './context';
import { RoutingError, UnknownAgentError, errorMessage } from './errors';
import type { Flock } from './flock';
import type { RouteDecision, Router } from './router';
import type { RunState } from './run-state';

function describe(value: unknown): string {
  return value === '' ? 'an empty string' : typeof value === 'object' ? JSON.stringify(value) ?? String(value) : `${typeof value} ${String(value)}`;
}

async function route(flock: Flock, agent: Agent, router: Router, output: Record<string, unknown>, context: AgentContext) {
  let decision: RouteDecision;
  try {
    decision = await router.route({ agent, output, context, candidates: flock.agents });
  } catch (error) {
    throw new RoutingError(agent.name, router.name, `failed: ${errorMessage(error)}`, error);
  }
  if (typeof decision !== 'object' || decision === null || !('nextAgent' in decision)) {
    throw new RoutingError(agent.name, router.name, `must return { nextAgent: string | null }, got ${describe(decision)}`);
  }
  const { confidence } = decision;
  if (router.minConfidence !== undefined && typeof confidence === 'number' && confidence < router.minConfidence) return null;
  return decision.nextAgent;
}

/**
 * Decides which agent runs after `agentName` produced `output`: a static
 * hand-off, the agent's `next` function, or its router (a decision below the
 * router's `minConfidence` ends the run). Resolves `null` when the run ends.
 *
 * Rejects with `UnknownAgentError` when the choice is not an agent of the
 * flock, `RoutingError` when the function or router throws or returns
 * something that is not a name. Routing sees the state read-only.
 *
 * @example
 * const next = await resolveNextAgent(flock, 'reader', record.output, state); // => 'ranker'
 */
export async function resolveNextAgent(
  flock: Flock,
  agentName: string,
  output: Record<string, unknown>,
  state: RunState,
): Promise<string | null> {
  const agent = flock.agent(agentName);
  const handoff = agent.handoff;
  if (!handoff) return null;
  let target: unknown;
  let source = 'next';
  if (handoff.kind === 'static') {
    target = handoff.agent;
  } else {
    const context = new AgentContext({ flock, agent, state });
    if (handoff.kind === 'code') {
      try {
        target = await handoff.next(context, output);
      } catch (error) {
        throw new RoutingError(agent.name, 'next', `failed: ${errorMessage(error)}`, error);
      }
    } else {
      const router = typeof handoff.router === 'string' ? flock.router(handoff.router) : handoff.router;
      source = router.name;
      target = await route(flock, agent, router, output, context);
    }
  }
  if (target === null || target === undefined) return null;
  if (typeof target !== 'string' || target === '') {
    throw new RoutingError(agent.name, source, `must choose an agent name or null, got ${describe(target)}`);
  }
  if (!flock.hasAgent(target)) throw new UnknownAgentError(target, flock.agentNames(), `hand-off from "${agent.name}" to agent`);
  return target;
}
