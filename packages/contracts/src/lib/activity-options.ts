import { DEFAULT_TASK_QUEUE, type ResolvedActivityConfig } from '@flock-ts/config';
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/common';

const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1000));

/**
 * Temporal activity options of one agent step, from its resolved
 * `TemporalActivityConfig`. An agent without its own task queue runs on
 * the workflow's.
 *
 * @example
 * toActivityOptions(resolveActivityConfig(flock.temporalConfig.activityDefaults, agent.temporalActivityConfig), 'researcher')
 */
export function toActivityOptions(config: ResolvedActivityConfig, agentName?: string): ActivityOptions {
  const options: ActivityOptions = {
    startToCloseTimeout: ms(config.startToCloseTimeoutSeconds),
    retry: {
      maximumAttempts: config.retryMaxAttempts,
      initialInterval: ms(config.retryInitialIntervalSeconds),
      backoffCoefficient: config.retryBackoffCoefficient,
      maximumInterval: ms(config.retryMaximumIntervalSeconds),
      nonRetryableErrorTypes: [...config.nonRetryableErrorTypes],
    },
    // a cancelled run ends once the agent's step has stopped, not while it still runs
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
  if (config.scheduleToStartTimeoutSeconds !== undefined) options.scheduleToStartTimeout = ms(config.scheduleToStartTimeoutSeconds);
  if (config.scheduleToCloseTimeoutSeconds !== undefined) options.scheduleToCloseTimeout = ms(config.scheduleToCloseTimeoutSeconds);
  if (config.heartbeatTimeoutSeconds !== undefined) options.heartbeatTimeout = ms(config.heartbeatTimeoutSeconds);
  if (config.taskQueue !== undefined) options.taskQueue = config.taskQueue;
  if (agentName) options.summary = `agent ${agentName}`;
  return options;
}

export { DEFAULT_TASK_QUEUE };
