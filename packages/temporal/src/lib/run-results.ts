import type { FlockRunResult, FlockRunStatus, FlockRunStatusV1, StepRecordV1 } from '@flock-ts/contracts';
import { RECENT_STEPS, stepSummary, type StepSummary } from '@flock-ts/engine';

// Results and statuses of runs of every workflow version, in today's shape.

/** A v1 run's whole steps as today's summaries. */
function summariesOfV1(history: StepRecordV1[]): StepSummary[] {
  return history.slice(-RECENT_STEPS).map((record, index) => stepSummary({ step: Math.max(history.length - RECENT_STEPS, 0) + index, ...record }));
}

/** The result of a v1 or v2 run, in today's shape. */
export function normalizeRunResult(raw: unknown): FlockRunResult {
  const result = raw as FlockRunResult & { steps: Array<StepSummary | StepRecordV1> };
  if (typeof result.stepCount === 'number') return result;
  const v1 = result.steps as StepRecordV1[];
  return { ...result, stepCount: v1.length, steps: summariesOfV1(v1) };
}

/** The status of a v1 or v2 run, in today's shape. */
export function normalizeRunStatus(raw: FlockRunStatus | FlockRunStatusV1): FlockRunStatus {
  if ('steps' in raw) return raw;
  const { history, ...rest } = raw;
  return { ...rest, steps: summariesOfV1(history) };
}
