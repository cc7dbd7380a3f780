import { FlockDefinitionSchema } from '@flock-ts/config';
import { z } from 'zod';

/**
 * Wire shapes of workflow contract version 1 (`FlockWorkflow`), frozen:
 * in-flight v1 runs and their recorded histories depend on them. Version 2
 * is in `wire.ts`.
 */

const Json = z.record(z.string(), z.unknown());

export const TokenUsageV1Schema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});
export type TokenUsageV1 = z.infer<typeof TokenUsageV1Schema>;

/** One completed agent step, as kept in the run history. */
export const StepRecordV1Schema = z.object({
  agent: z.string(),
  inputs: Json,
  output: Json,
  startedAt: z.string(),
  finishedAt: z.string(),
  attempt: z.number().int().positive().optional(),
  usage: TokenUsageV1Schema.optional(),
  /** Tokens a router's model spent choosing the next agent (added in 1.1; optional). */
  routingUsage: TokenUsageV1Schema.optional(),
});
export type StepRecordV1 = z.infer<typeof StepRecordV1Schema>;

/** The state of a run that agent steps read: what crosses the activity boundary. */
export const RunStateV1Schema = z.object({
  runId: z.string(),
  sessionId: z.string().optional(),
  flockName: z.string(),
  startAgent: z.string(),
  input: Json,
  history: z.array(StepRecordV1Schema),
  variables: Json,
  iteration: z.number().int().nonnegative(),
});
export type RunStateV1 = z.infer<typeof RunStateV1Schema>;

/** Input of `FlockWorkflow`: the definition snapshot the whole run follows. */
export const FlockWorkflowInputV1Schema = z.object({
  /** Secret-free definition of the flock, as when the run started. */
  definition: FlockDefinitionSchema,
  startAgent: z.string().min(1),
  input: Json,
  runId: z.string().min(1),
  sessionId: z.string().min(1).optional(),
});
export type FlockWorkflowInputV1 = z.input<typeof FlockWorkflowInputV1Schema>;

/** Result of a completed run. */
export const FlockRunResultV1Schema = z.object({
  runId: z.string(),
  flockName: z.string(),
  lastAgent: z.string(),
  output: Json,
  steps: z.array(StepRecordV1Schema),
  variables: Json,
  usage: TokenUsageV1Schema.optional(),
});
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
