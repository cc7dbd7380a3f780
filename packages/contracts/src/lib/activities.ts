import type { EvaluateAgentInput, EvaluateAgentOutput, RouteNextAgentInput, RouteNextAgentOutput } from './wire';

/**
 * The activities a Flock worker hosts. Workflows reach them only through
 * `proxyActivities<FlockActivities>()`; implementations declare
 * `satisfies FlockActivities`. Add new activities rather than change these
 * signatures: running workflows replay against them.
 */
export interface FlockActivities {
  /** One agent evaluation: inputs resolved, evaluator and component hooks run, output validated. */
  evaluateAgent(input: EvaluateAgentInput): Promise<EvaluateAgentOutput>;
  /** Hand-off decided by code or a router (static hand-offs never reach an activity). */
  routeNextAgent(input: RouteNextAgentInput): Promise<RouteNextAgentOutput>;
}

/** Activity type names, as they appear in workflow histories. */
export const ACTIVITY_TYPES = {
  evaluateAgent: 'evaluateAgent',
  routeNextAgent: 'routeNextAgent',
} as const satisfies Record<keyof FlockActivities, string>;
