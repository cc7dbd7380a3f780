import { FlockConfigError } from './errors';
import { parseTemporalActivityConfig, parseTemporalWorkflowConfig } from './temporal-config';

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect((error as Error).name).toBe('FlockConfigError');
    return (error as FlockConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected a FlockConfigError');
}

const SECONDS_FIELDS = [
  'startToCloseTimeoutSeconds',
  'scheduleToStartTimeoutSeconds',
  'scheduleToCloseTimeoutSeconds',
  'heartbeatTimeoutSeconds',
  'retryInitialIntervalSeconds',
  'retryMaximumIntervalSeconds',
] as const;

describe('TemporalActivityConfig seconds', () => {
  it.each(SECONDS_FIELDS)('%s below 1 ms is refused: Temporal would round it to 0 (no timeout, or an activity it never schedules)', (field) => {
    for (const value of [0.0004, 0.0009999, 0, -5]) {
      expect(issuesOf(() => parseTemporalActivityConfig({ [field]: value }))).toEqual([`${field}: ${field} must be >= 0.001 seconds (1 ms)`]);
    }
  });

  it.each(SECONDS_FIELDS)('%s of 1 ms or more is accepted', (field) => {
    expect(parseTemporalActivityConfig({ [field]: 0.001 })).toEqual({ [field]: 0.001 });
    expect(parseTemporalActivityConfig({ [field]: 30 })).toEqual({ [field]: 30 });
  });

  it('names the rule for a value that is not a number or is beyond a year', () => {
    expect(issuesOf(() => parseTemporalActivityConfig({ heartbeatTimeoutSeconds: '5' }))).toEqual(['heartbeatTimeoutSeconds: heartbeatTimeoutSeconds must be a number of seconds']);
    expect(issuesOf(() => parseTemporalActivityConfig({ startToCloseTimeoutSeconds: 1e12 }))).toEqual([
      'startToCloseTimeoutSeconds: startToCloseTimeoutSeconds must be <= 31536000 seconds (a year)',
    ]);
    expect(issuesOf(() => parseTemporalActivityConfig({ startToCloseTimeoutSeconds: Number.NaN }))).toEqual(['startToCloseTimeoutSeconds: startToCloseTimeoutSeconds must be a number of seconds']);
  });
});

describe('TemporalActivityConfig retries', () => {
  it('retryMaxAttempts has an upper bound that says so', () => {
    expect(issuesOf(() => parseTemporalActivityConfig({ retryMaxAttempts: 1e9 }))).toEqual(['retryMaxAttempts: retryMaxAttempts must be <= 100']);
    expect(issuesOf(() => parseTemporalActivityConfig({ retryMaxAttempts: 101 }))).toEqual(['retryMaxAttempts: retryMaxAttempts must be <= 100']);
    expect(parseTemporalActivityConfig({ retryMaxAttempts: 100 })).toEqual({ retryMaxAttempts: 100 });
  });

  it('retryMaxAttempts must still be an integer >= 1', () => {
    expect(issuesOf(() => parseTemporalActivityConfig({ retryMaxAttempts: 2.5 }))).toEqual(['retryMaxAttempts: retryMaxAttempts must be an integer']);
    expect(issuesOf(() => parseTemporalActivityConfig({ retryMaxAttempts: 0 }))).toEqual(['retryMaxAttempts: retryMaxAttempts must be >= 1 (Temporal reads 0 as unlimited)']);
  });

  it('retryBackoffCoefficient has a named upper bound', () => {
    expect(issuesOf(() => parseTemporalActivityConfig({ retryBackoffCoefficient: 1e6 }))).toEqual(['retryBackoffCoefficient: retryBackoffCoefficient must be <= 100']);
  });
});

describe('TemporalWorkflowConfig durations', () => {
  const FIELDS = ['workflowExecutionTimeout', 'workflowRunTimeout', 'workflowTaskTimeout'] as const;

  it.each(FIELDS)('%s of zero (or under 1 ms) is refused', (field) => {
    for (const value of ['0s', '0', '0 ms', '0.0001s', '0.5ms', 0, 0.5, -1]) {
      expect(issuesOf(() => parseTemporalWorkflowConfig({ [field]: value }))).toEqual([`${field}: ${field} must be > 0 (at least 1 ms)`]);
    }
  });

  it.each(FIELDS)('%s accepts durations of 1 ms and more', (field) => {
    for (const value of ['1ms', '30s', '5 minutes', '1h', '0.5s', '2 days', 1, 60_000]) {
      expect(parseTemporalWorkflowConfig({ [field]: value })).toEqual({ [field]: value });
    }
  });

  it('still says what a duration is for text that is none', () => {
    expect(issuesOf(() => parseTemporalWorkflowConfig({ workflowRunTimeout: 'soon' }))).toEqual([
      'workflowRunTimeout: a duration is milliseconds or a string such as "30s", "5 minutes", "1h"',
    ]);
  });
});
