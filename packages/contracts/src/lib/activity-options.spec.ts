import { ActivityCancellationType } from '@temporalio/common';
import { resolveActivityConfig } from '@flock-ts/config';
import { LOCAL_STEP_ECHO_KEY, localStepEchoOf, toActivityOptions, toLocalActivityOptions, withLocalStepEcho, withoutLocalStepEcho } from './activity-options';

describe('toLocalActivityOptions', () => {
  it('carries the same timeouts, retry policy and cancellation type as the regular options', () => {
    const config = resolveActivityConfig(
      { startToCloseTimeoutSeconds: 20, retryMaxAttempts: 4, retryInitialIntervalSeconds: 0.5 },
      {
        local: true,
        scheduleToStartTimeoutSeconds: 3,
        scheduleToCloseTimeoutSeconds: 90,
        retryBackoffCoefficient: 3,
        retryMaximumIntervalSeconds: 7,
        nonRetryableErrorTypes: ['AuthError'],
      },
    );
    const local = toLocalActivityOptions(config, 'tokenizer');
    const regular = toActivityOptions(config, 'tokenizer');
    expect(local).toEqual({
      startToCloseTimeout: 20_000,
      scheduleToStartTimeout: 3_000,
      scheduleToCloseTimeout: 90_000,
      retry: { maximumAttempts: 4, initialInterval: 500, backoffCoefficient: 3, maximumInterval: 7_000, nonRetryableErrorTypes: ['AuthError'] },
      cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
      summary: 'agent tokenizer',
    });
    for (const key of ['startToCloseTimeout', 'scheduleToStartTimeout', 'scheduleToCloseTimeout', 'retry', 'cancellationType', 'summary'] as const)
      expect(local[key]).toEqual(regular[key]);
  });

  it('has no heartbeat timeout or task queue, whatever the defaults say', () => {
    const local = toLocalActivityOptions(resolveActivityConfig({ heartbeatTimeoutSeconds: 30, taskQueue: 'shared' }, { local: true }));
    expect(Object.keys(local).sort()).toEqual(['cancellationType', 'retry', 'startToCloseTimeout']);
    expect(local.startToCloseTimeout).toBe(300_000);
    expect(local.retry?.maximumAttempts).toBe(3);
  });
});

describe('local step echo', () => {
  const result = { output: { n: 2 }, variables: {}, startedAt: 'a', finishedAt: 'b' };
  const request = { step: 4, agent: 'count', inputs: { n: 1 } };

  it('rides along a local step result and is dropped before the workflow uses it', () => {
    const echoed = withLocalStepEcho(result, request);
    expect(echoed[LOCAL_STEP_ECHO_KEY]).toEqual({ step: 4, agent: 'count', inputs: { n: 1 } });
    expect(localStepEchoOf(echoed)).toEqual({ step: 4, agent: 'count', inputs: { n: 1 } });
    expect(withoutLocalStepEcho(echoed)).toEqual(result);
    expect(localStepEchoOf(withLocalStepEcho(result, request, true))).toEqual({ step: 4, agent: 'count', inputs: {}, inputsOmitted: true });
  });

  it('leaves results without one (and non-objects) as they are', () => {
    expect(withoutLocalStepEcho(result)).toBe(result);
    expect(withoutLocalStepEcho(null)).toBeNull();
    expect(localStepEchoOf(result)).toBeUndefined();
    expect(localStepEchoOf({ ...result, [LOCAL_STEP_ECHO_KEY]: { step: '4', agent: 'count', inputs: {} } })).toBeUndefined();
    expect(localStepEchoOf(undefined)).toBeUndefined();
  });
});
