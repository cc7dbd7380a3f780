import { FlockDefinitionSchema } from '@flock-ts/config';
import type { RunResult, RunState } from '@flock-ts/engine';
import { z } from 'zod';

/**
 * Wire shapes of the current workflow contract (version 2,
 * `FlockWorkflowV2`). Versioned with the workflow: extend them only with
 * optional fields, so recorded histories keep replaying. A step's request
 * and result are `StepRequest` / `StepResult` of `@flock-ts/engine`.
 */

const Json = z.record(z.string(), z.unknown());

/** What a run carries into the next run of its chain when it continues as new. */
export interface ContinuedRun {
  /** The compact run state (variables, fields, counters, usage, bounded step tails). */
  state: RunState;
  /** Runs of the chain before this one. */
  runs: number;
  /** Set when the run was paused (it stays paused until resumed). */
  paused?: boolean;
}

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
export type FlockWorkflowInput = z.input<typeof FlockWorkflowInputSchema>;

/** Result of a completed run: bounded, whatever the run's length. */
export type FlockRunResult = RunResult;
