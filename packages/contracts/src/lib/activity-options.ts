import type { ResolvedActivityConfig } from '@flock-ts/config';
import { DEFAULT_TASK_QUEUE } from '@flock-ts/config/sandbox';
import type { StepRequest, StepResult } from '@flock-ts/engine';
import { ActivityCancellationType, type ActivityOptions, type LocalActivityOptions, type RetryPolicy } from '@temporalio/common';

const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1000));

/**
 * Temporal activity options of one agent step, from its resolved
 * `TemporalActivityConfig`. An agent without its own task queue runs on
 * the workflow's. (`local` is not read here: a local agent's steps take
 * {@link toLocalActivityOptions}.)
 *
 * @example
 * toActivityOptions(resolveActivityConfig(flock.temporalConfig.activityDefaults, agent.temporalActivityConfig), 'researcher')
 */
export function toActivityOptions(config: ResolvedActivityConfig, agentName?: string): ActivityOptions {
  const options: ActivityOptions = stepOptions(config, agentName);
  if (config.heartbeatTimeoutSeconds !== undefined) options.heartbeatTimeout = ms(config.heartbeatTimeoutSeconds);
  if (config.taskQueue !== undefined) options.taskQueue = config.taskQueue;
  return options;
}

/**
 * Temporal local activity options of one agent step (`local: true`): the
 * same start-to-close and schedule-to-close timeouts, retry policy and
 * cancellation type as {@link toActivityOptions}. A local activity has no
 * task queue of its own (it runs in the workflow's worker) and no
 * heartbeat timeout; its schedule-to-start timeout bounds the wait for a
 * free local activity slot of that worker.
 *
 * @example
 * toLocalActivityOptions(resolveActivityConfig(flock.temporalConfig.activityDefaults, { local: true }), 'tokenizer')
 */
export function toLocalActivityOptions(config: ResolvedActivityConfig, agentName?: string): LocalActivityOptions {
  return stepOptions(config, agentName);
}

/** What regular and local step activities share: timeouts, retry policy, cancellation type, summary. */
function stepOptions(config: ResolvedActivityConfig, agentName: string | undefined): ActivityOptions & LocalActivityOptions {
  const options: ActivityOptions & LocalActivityOptions = {
    startToCloseTimeout: ms(config.startToCloseTimeoutSeconds),
    retry: retryPolicy(config),
    // a cancelled run ends once the agent's step has stopped, not while it still runs
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
  if (config.scheduleToStartTimeoutSeconds !== undefined) options.scheduleToStartTimeout = ms(config.scheduleToStartTimeoutSeconds);
  if (config.scheduleToCloseTimeoutSeconds !== undefined) options.scheduleToCloseTimeout = ms(config.scheduleToCloseTimeoutSeconds);
  if (agentName) options.summary = `agent ${agentName}`;
  return options;
}

function retryPolicy(config: ResolvedActivityConfig): RetryPolicy {
  return {
    maximumAttempts: config.retryMaxAttempts,
    initialInterval: ms(config.retryInitialIntervalSeconds),
    backoffCoefficient: config.retryBackoffCoefficient,
    maximumInterval: ms(config.retryMaximumIntervalSeconds),
    nonRetryableErrorTypes: [...config.nonRetryableErrorTypes],
  };
}

/** Name of the local activity marker in a run's history (Temporal's own). */
export const LOCAL_ACTIVITY_MARKER_NAME = 'core_local_activity';

/** Key of the {@link LocalStepEcho} in the result of a local `runAgentStep`. */
export const LOCAL_STEP_ECHO_KEY = 'localStep';

/**
 * What the result of a local agent step carries beside its `StepResult`:
 * the step's number, agent and inputs. A scheduled step's request is in its
 * `ActivityTaskScheduled` event; a local step's history is one marker with
 * its result only, so the run's readers (events, step ledger) read the
 * request's facts from here. The workflow drops it before it uses the result.
 */
export interface LocalStepEcho {
  step: number;
  agent: string;
  /** The step's inputs; empty with `inputsOmitted` when they would have made the result too large. */
  inputs: Record<string, unknown>;
  inputsOmitted?: true;
}

/** A local step's result: the `StepResult` and its {@link LocalStepEcho}. */
export type LocalStepResult = StepResult & { [LOCAL_STEP_ECHO_KEY]: LocalStepEcho };

/** `result` with the {@link LocalStepEcho} of `request` (its inputs left out with `omitInputs`). */
export function withLocalStepEcho(result: StepResult, request: Pick<StepRequest, 'step' | 'agent' | 'inputs'>, omitInputs = false): LocalStepResult {
  const echo: LocalStepEcho = omitInputs
    ? { step: request.step, agent: request.agent, inputs: {}, inputsOmitted: true }
    : { step: request.step, agent: request.agent, inputs: request.inputs };
  return { ...result, [LOCAL_STEP_ECHO_KEY]: echo };
}

/** The {@link LocalStepEcho} of a decoded step result, if it has a well-formed one. */
export function localStepEchoOf(value: unknown): LocalStepEcho | undefined {
  const echo = (value as Record<string, unknown> | null | undefined)?.[LOCAL_STEP_ECHO_KEY] as Partial<LocalStepEcho> | undefined;
  if (typeof echo !== 'object' || echo === null) return undefined;
  if (typeof echo.step !== 'number' || typeof echo.agent !== 'string' || typeof echo.inputs !== 'object' || echo.inputs === null) return undefined;
  return echo as LocalStepEcho;
}

/** The step result without its {@link LocalStepEcho} (anything else as is). */
export function withoutLocalStepEcho<T>(value: T): T {
  if (typeof value !== 'object' || value === null || !(LOCAL_STEP_ECHO_KEY in value)) return value;
  const { [LOCAL_STEP_ECHO_KEY]: _echo, ...rest } = value as Record<string, unknown>;
  return rest as T;
}

export { DEFAULT_TASK_QUEUE };
