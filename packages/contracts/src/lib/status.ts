import { defineQuery } from '@temporalio/workflow';
import type { StepRecord } from './wire';

export type FlockRunPhase = 'running' | 'completed' | 'failed' | 'cancelled';

/** What the status query answers while a run is in flight and after. */
export interface FlockRunStatus {
  runId: string;
  flockName: string;
  phase: FlockRunPhase;
  /** The agent being evaluated or routed, `null` once the run ended. */
  currentAgent: string | null;
  stepsDone: number;
  history: StepRecord[];
  /** Workflow contract version the run follows. */
  workflowVersion: number;
}

/** Query: the run's status, current agent and step history. */
export const flockStatusQuery = defineQuery<FlockRunStatus>('flock.status');
