import type { z } from 'zod';
import type { FlockRunResultV1Schema, FlockWorkflowInputV1Schema, RunStateV1Schema, StepRecordV1Schema, TokenUsageV1Schema } from './wire-schemas';

/**
 * Wire shapes of workflow contract version 1 (`FlockWorkflow`), frozen:
 * in-flight v1 runs and their recorded histories depend on them. Version 2
 * is in `wire.ts`; the zod schemas of both are in `wire-schemas.ts`.
 */

export type TokenUsageV1 = z.infer<typeof TokenUsageV1Schema>;
export type StepRecordV1 = z.infer<typeof StepRecordV1Schema>;
export type RunStateV1 = z.infer<typeof RunStateV1Schema>;
export type FlockWorkflowInputV1 = z.input<typeof FlockWorkflowInputV1Schema>;
export type FlockRunResultV1 = z.infer<typeof FlockRunResultV1Schema>;

export interface EvaluateAgentInput {
  flockName: string;
  agentName: string;
  state: RunStateV1;
}

export interface EvaluateAgentOutput {
  record: StepRecordV1;
  /** Run variables after the step. */
  variables: Record<string, unknown>;
}

export interface RouteNextAgentInput {
  flockName: string;
  agentName: string;
  output: Record<string, unknown>;
  state: RunStateV1;
}

export interface RouteNextAgentOutput {
  /** The next agent, or `null` when the run ends here. */
  nextAgent: string | null;
  reason?: string;
  /** Tokens a router's model spent on the decision. */
  usage?: TokenUsageV1;
}
