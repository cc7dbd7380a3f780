// Activity defaults and their resolution, free of zod: workflow code schedules
// each agent's steps with them, and the Temporal sandbox evaluates a workflow's
// imports again for every workflow (the schemas stay in temporal-config.ts).
import type { TemporalActivityConfig } from './temporal-config';

/** Default task queue of Flock workers and runs. */
export const DEFAULT_TASK_QUEUE = 'flock-agents';

/**
 * The documented defaults of an agent step:
 * 5 minutes per attempt, 3 attempts, 1 s first retry delay doubling up to
 * 60 s, and a 10 s heartbeat timeout: workers heartbeat running steps on
 * their own, so a step on a worker that died is retried elsewhere within
 * seconds, not at its start-to-close timeout. (A step that is alive but
 * stuck is bounded by its start-to-close timeout.)
 */
export const DEFAULT_ACTIVITY_CONFIG = {
  startToCloseTimeoutSeconds: 300,
  heartbeatTimeoutSeconds: 10,
  retryMaxAttempts: 3,
  retryInitialIntervalSeconds: 1,
  retryBackoffCoefficient: 2,
  retryMaximumIntervalSeconds: 60,
  // Flock's own errors say themselves when no retry can fix them (`FlockError.nonRetryable`)
  nonRetryableErrorTypes: [],
} as const satisfies TemporalActivityConfig;

/** Activity options after merging an agent's override over the defaults. */
export type ResolvedActivityConfig = Required<
  Pick<
    TemporalActivityConfig,
    'startToCloseTimeoutSeconds' | 'retryMaxAttempts' | 'retryInitialIntervalSeconds' | 'retryBackoffCoefficient' | 'retryMaximumIntervalSeconds' | 'nonRetryableErrorTypes'
  >
> &
  Pick<TemporalActivityConfig, 'scheduleToStartTimeoutSeconds' | 'scheduleToCloseTimeoutSeconds' | 'heartbeatTimeoutSeconds' | 'taskQueue'> & {
    /** The agent's steps run as local activities: then `taskQueue` and `heartbeatTimeoutSeconds` are never set. */
    local: boolean;
    /** `'call'`: each model call and tool call of a model agent's step is its own activity. */
    durability: 'step' | 'call';
  };

/**
 * Merges an agent's {@link TemporalActivityConfig} over the flock's
 * `activityDefaults` over {@link DEFAULT_ACTIVITY_CONFIG}. Non-retryable
 * error types are the union of all three.
 *
 * `local` resolves like the other fields, except that an agent whose own
 * config sets `taskQueue` or `heartbeatTimeoutSeconds` (and not `local`)
 * stays a regular activity when only the defaults say `local: true`. A
 * local step has neither a task queue nor a heartbeat timeout: inherited
 * ones (the built-in 10 s heartbeat timeout among them) are dropped.
 *
 * @example
 * resolveActivityConfig({ startToCloseTimeoutSeconds: 60 }, { retryMaxAttempts: 5 })
 * // => { startToCloseTimeoutSeconds: 60, retryMaxAttempts: 5, local: false, ... }
 */
export function resolveActivityConfig(defaults: TemporalActivityConfig | undefined, override: TemporalActivityConfig | undefined): ResolvedActivityConfig {
  const merged: Record<string, unknown> = { ...DEFAULT_ACTIVITY_CONFIG, ...stripUndefined(defaults), ...stripUndefined(override) };
  merged['nonRetryableErrorTypes'] = [...new Set([...(defaults?.nonRetryableErrorTypes ?? []), ...(override?.nonRetryableErrorTypes ?? [])])];
  const optsOut = override?.local === undefined && (override?.taskQueue !== undefined || override?.heartbeatTimeoutSeconds !== undefined);
  const local = override?.local ?? (optsOut ? false : (defaults?.local ?? false));
  merged['local'] = local;
  merged['durability'] = override?.durability ?? defaults?.durability ?? 'step';
  if (local) {
    delete merged['taskQueue'];
    delete merged['heartbeatTimeoutSeconds'];
  }
  return merged as ResolvedActivityConfig;
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
