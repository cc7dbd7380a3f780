import type { StepRecord } from '@flock-ts/engine';

export type {
  FlockResponse,
  FlockResponseReceipt,
  FlockRunEvent,
  HumanResponse,
  Review,
  RunPhase,
  RunResult,
  RunState,
  RunStatus,
  StepRecord,
  StepRequest,
  StepResult,
  StepSummary,
  TokenUsage,
  WaitingFor,
} from '@flock-ts/engine';

/** How to start a run. */
export interface RunRequest {
  startAgent: string;
  input: Record<string, unknown>;
  /** A random UUID when absent. */
  runId?: string;
  sessionId?: string;
  /** Called after each finished step with the whole step (in-process as it finishes; on Temporal as the executor reads it). */
  onStep?: (step: StepRecord) => void;
  /** Aborts the run: the current step sees the signal, the run rejects with its reason. */
  signal?: AbortSignal;
}
