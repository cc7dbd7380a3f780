import type { StepRequest, StepResult } from '@flock-ts/engine';
import type { EvaluateAgentInput, EvaluateAgentOutput, RouteNextAgentInput, RouteNextAgentOutput } from './wire-v1';

/**
 * The activities a Flock worker hosts. Workflows reach them only through
 * `proxyActivities<FlockActivities>()`; implementations declare
 * `satisfies FlockActivities`. Add new activities rather than change these
 * signatures: running workflows replay against them.
 */
export interface FlockActivities {
  /**
   * One agent step (contract v2): the fingerprint checked, inputs validated,
   * evaluator and component hooks run, output validated, and a `code` or
   * `router` hand-off decided, all in one activity.
   */
  runAgentStep(request: StepRequest): Promise<StepResult>;
  /** v1: one agent evaluation against the whole run state. Kept for in-flight v1 runs. */
  evaluateAgent(input: EvaluateAgentInput): Promise<EvaluateAgentOutput>;
  /** v1: a hand-off decided by code or a router. Kept for in-flight v1 runs. */
  routeNextAgent(input: RouteNextAgentInput): Promise<RouteNextAgentOutput>;
}

/** Activity type names, as they appear in workflow histories. */
export const ACTIVITY_TYPES = {
  runAgentStep: 'runAgentStep',
  evaluateAgent: 'evaluateAgent',
  routeNextAgent: 'routeNextAgent',
} as const satisfies Record<keyof FlockActivities, string>;
