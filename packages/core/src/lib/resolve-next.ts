import type { Agent } from './agent';
import { AgentContext, type StepView } from './context';
import { RoutingError, UnknownAgentError, errorMessage } from './errors';
import type { Flock } from './flock';
import type { RouteDecision, Router } from './router';
import type { TokenUsage } from '@flock-ts/engine';

/** Where a run goes next, and what deciding it cost. */
export interface HandoffDecision {
  /** The next agent, or `null` when the run ends. */
  nextAgent: string | null;
  /** Tokens a router's model spent on the decision. */
  usage?: TokenUsage;
  reason?: string;
}

function describe(value: unknown): string {
  return value === '' ? 'an empty string' : typeof value === 'object' ? (JSON.stringify(value) ?? String(value)) : `${typeof value} ${String(value)}`;
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
  const { confidence, usage, reason } = decision;
  const extra = { ...(usage ? { usage } : {}), ...(reason ? { reason } : {}) };
  if (router.minConfidence !== undefined && typeof confidence === 'number' && confidence < router.minConfidence) {
    return { target: null, ...extra };
  }
  return { target: decision.nextAgent as unknown, ...extra };
}

/**
 * Decides which agent runs after `agentName` produced `output`, and what
 * deciding it cost: a static hand-off, the agent's `next` function, or its
 * router (a decision below the router's `minConfidence` ends the run).
 * `nextAgent` is `null` when the run ends.
 *
 * Rejects with `UnknownAgentError` when the choice is not an agent of the
 * flock, `RoutingError` when the function or router throws or returns
 * something that is not a name. Routing sees the run read-only, through the
 * view of the step that just finished.
 *
 * @example
 * const { nextAgent } = await resolveHandoff(flock, 'reader', output, view); // => 'ranker'
 */
export async function resolveHandoff(flock: Flock, agentName: string, output: Record<string, unknown>, view: StepView): Promise<HandoffDecision> {
  const agent = flock.agent(agentName);
  const handoff = agent.handoff;
  if (!handoff) return { nextAgent: null };
  let target: unknown;
  let decision: Omit<HandoffDecision, 'nextAgent'> = {};
  let source = 'next';
  if (handoff.kind === 'static') {
    target = handoff.agent;
  } else {
    const context = new AgentContext({ flock, agent, view });
    if (handoff.kind === 'code') {
      try {
        target = await handoff.next(context, output);
      } catch (error) {
        throw new RoutingError(agent.name, 'next', `failed: ${errorMessage(error)}`, error);
      }
    } else {
      const router = typeof handoff.router === 'string' ? flock.router(handoff.router) : handoff.router;
      source = router.name;
      const routed = await route(flock, agent, router, output, context);
      target = routed.target;
      decision = { ...(routed.usage ? { usage: routed.usage } : {}), ...(routed.reason ? { reason: routed.reason } : {}) };
    }
  }
  if (target === null || target === undefined) return { nextAgent: null, ...decision };
  if (typeof target !== 'string' || target === '') {
    throw new RoutingError(agent.name, source, `must choose an agent name or null, got ${describe(target)}`);
  }
  if (!flock.hasAgent(target)) throw new UnknownAgentError(target, flock.agentNames(), `hand-off from "${agent.name}" to agent`);
  return { nextAgent: target, ...decision };
}
