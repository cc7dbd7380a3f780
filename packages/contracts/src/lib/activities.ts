import type { StepRequest, StepResult } from '@flock-ts/engine';
import type { FinishStepInput, ModelCallInput, ModelCallOutcome, ToolCallInput, ToolCallOutcome } from './model-calls';
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
  /** `durability: 'call'`: one model call of a model agent's step (the first also runs the hooks before the evaluation). */
  callAgentModel(input: ModelCallInput): Promise<ModelCallOutcome>;
  /** `durability: 'call'`: one tool call of a model agent's step. */
  callAgentTool(input: ToolCallInput): Promise<ToolCallOutcome>;
  /** `durability: 'call'`: the hooks after the evaluation and the `code`/`router` hand-off of a step whose model answered. */
  finishAgentStep(input: FinishStepInput): Promise<StepResult>;
  /** v1: one agent evaluation against the whole run state. Kept for in-flight v1 runs. */
  evaluateAgent(input: EvaluateAgentInput): Promise<EvaluateAgentOutput>;
  /** v1: a hand-off decided by code or a router. Kept for in-flight v1 runs. */
  routeNextAgent(input: RouteNextAgentInput): Promise<RouteNextAgentOutput>;
}

/** Activity type names, as they appear in workflow histories. */
export const ACTIVITY_TYPES = {
  runAgentStep: 'runAgentStep',
  callAgentModel: 'callAgentModel',
  callAgentTool: 'callAgentTool',
  finishAgentStep: 'finishAgentStep',
  evaluateAgent: 'evaluateAgent',
  routeNextAgent: 'routeNextAgent',
} as const satisfies Record<keyof FlockActivities, string>;
