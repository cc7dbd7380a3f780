import { FlockDefinitionSchema } from '@flock-ts/config';
import { z } from 'zod';

/**
 * Wire shapes of the workflow contract. They are versioned with the
 * workflow: extend them only with optional fields, so recorded histories of
 * released versions keep replaying.
 */

const Json = z.record(z.string(), z.unknown());

export const TokenUsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

/** One completed agent step, as kept in the run history. */
export const StepRecordSchema = z.object({
  agent: z.string(),
  inputs: Json,
  output: Json,
  startedAt: z.string(),
  finishedAt: z.string(),
  attempt: z.number().int().positive().optional(),
  usage: TokenUsageSchema.optional(),
  /** Tokens a router's model spent choosing the next agent (added in 1.1; optional). */
  routingUsage: TokenUsageSchema.optional(),
});
export type StepRecord = z.infer<typeof StepRecordSchema>;

/** The state of a run that agent steps read: what crosses the activity boundary. */
export const RunStateSchema = z.object({
  runId: z.string(),
  sessionId: z.string().optional(),
  flockName: z.string(),
  startAgent: z.string(),
  input: Json,
  history: z.array(StepRecordSchema),
  variables: Json,
  iteration: z.number().int().nonnegative(),
});
export type RunState = z.infer<typeof RunStateSchema>;

/** Input of `FlockWorkflow`: the definition snapshot the whole run follows. */
export const FlockWorkflowInputSchema = z.object({
  /** Secret-free definition of the flock, as when the run started. */
  definition: FlockDefinitionSchema,
  startAgent: z.string().min(1),
  input: Json,
  runId: z.string().min(1),
  sessionId: z.string().min(1).optional(),
});
export type FlockWorkflowInput = z.input<typeof FlockWorkflowInputSchema>;

/** Result of a completed run. */
export const FlockRunResultSchema = z.object({
  runId: z.string(),
  flockName: z.string(),
  lastAgent: z.string(),
  output: Json,
  steps: z.array(StepRecordSchema),
  variables: Json,
  usage: TokenUsageSchema.optional(),
});
export type FlockRunResult = z.infer<typeof FlockRunResultSchema>;

export interface EvaluateAgentInput {
  flockName: string;
  agentName: string;
  state: RunState;
}

export interface EvaluateAgentOutput {
  record: StepRecord;
  /** Run variables after the step. */
  variables: Record<string, unknown>;
}

export interface RouteNextAgentInput {
  flockName: string;
  agentName: string;
  output: Record<string, unknown>;
  state: RunState;
}

export interface RouteNextAgentOutput {
  /** The next agent, or `null` when the run ends here. */
  nextAgent: string | null;
  reason?: string;
  /** Tokens a router's model spent on the decision. */
  usage?: TokenUsage;
}
