import { FlockDefinitionSchema } from '@flock-ts/config';
import type { RunState } from '@flock-ts/engine';
import { z } from 'zod';

/**
 * zod schemas of the workflow contracts' wire shapes (`@flock-ts/contracts/schemas`),
 * apart from the main entry: workflow code never evaluates them (the Temporal
 * sandbox would rebuild them for every workflow). Version 1 (`FlockWorkflow`)
 * is frozen: in-flight v1 runs and their recorded histories depend on it.
 */

const Json = z.record(z.string(), z.unknown());

export const TokenUsageV1Schema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
});

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

/** Input of `FlockWorkflow`: the definition snapshot the whole run follows. */
export const FlockWorkflowInputV1Schema = z.object({
  /** Secret-free definition of the flock, as when the run started. */
  definition: FlockDefinitionSchema,
  startAgent: z.string().min(1),
  input: Json,
  runId: z.string().min(1),
  sessionId: z.string().min(1).optional(),
});

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

const ContinuedRunSchema = z.object({
  state: z.custom<RunState>(
    (value) => typeof value === 'object' && value !== null && typeof (value as RunState).stepCount === 'number' && typeof (value as RunState).fields === 'object',
    'the carried run state must have stepCount and fields',
  ),
  runs: z.number().int().positive(),
  paused: z.boolean().optional(),
});

/** Input of `FlockWorkflowV2`: the definition snapshot the whole run follows. */
export const FlockWorkflowInputSchema = z.object({
  /** Secret-free definition of the flock, as when the run started. */
  definition: FlockDefinitionSchema,
  startAgent: z.string().min(1),
  input: Json,
  runId: z.string().min(1),
  sessionId: z.string().min(1).optional(),
  /** Set when the run continued as new. */
  continued: ContinuedRunSchema.optional(),
});
