import type { StepSummary, TokenUsage } from '@flock-ts/engine';
import { defineQuery } from '@temporalio/workflow';
import type { StepRecordV1 } from './wire-v1';

export type FlockRunPhase = 'running' | 'completed' | 'failed' | 'cancelled';

/** What the status query answers while a run is in flight and after. */
export interface FlockRunStatus {
  runId: string;
  flockName: string;
  phase: FlockRunPhase;
  /** The agent being evaluated, `null` once the run ended. */
  currentAgent: string | null;
  /** Finished steps of the whole run (across continue-as-new). */
  stepsDone: number;
  /** The latest steps, without their data (the step ledger has them whole). */
  steps: StepSummary[];
  /** Tokens used so far. */
  usage?: TokenUsage;
  /** Runs of the chain before the current one (continue-as-new). */
  continuedRuns?: number;
  /** Workflow contract version the run follows. */
  workflowVersion: number;
}

/** Query: the run's status, current agent and latest steps. */
export const flockStatusQuery = defineQuery<FlockRunStatus>('flock.status');

/** What a version 1 run answers to the same query: every step, whole. */
export interface FlockRunStatusV1 {
  runId: string;
  flockName: string;
  phase: FlockRunPhase;
  currentAgent: string | null;
  stepsDone: number;
  history: StepRecordV1[];
  workflowVersion: number;
}

/** The status query as version 1 runs answer it. */
export const flockStatusQueryV1 = defineQuery<FlockRunStatusV1>('flock.status');
