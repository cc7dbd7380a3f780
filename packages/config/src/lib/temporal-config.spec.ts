import { FlockConfigError } from './errors';
import { DEFAULT_ACTIVITY_CONFIG, parseTemporalActivityConfig, parseTemporalWorkflowConfig, resolveActivityConfig } from './temporal-config';

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
    expect(issuesOf(() => parseTemporalActivityConfig({ startToCloseTimeoutSeconds: Number.NaN }))).toEqual([
      'startToCloseTimeoutSeconds: startToCloseTimeoutSeconds must be a number of seconds',
    ]);
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

describe('TemporalWorkflowConfig webUiUrl', () => {
  it('accepts an http(s) URL of the Web UI, with a port or a path', () => {
    for (const webUiUrl of ['http://localhost:8233', 'https://cloud.temporal.io/', 'http://127.0.0.1:40123/ui', 'HTTPS://UI.EXAMPLE.COM']) {
      expect(parseTemporalWorkflowConfig({ webUiUrl })).toEqual({ webUiUrl });
    }
  });

  it('refuses anything else, naming the field and the rule', () => {
    for (const webUiUrl of ['localhost:8233', 'ftp://ui.example.com', 'http://', 'http://ui example', '']) {
      expect(issuesOf(() => parseTemporalWorkflowConfig({ webUiUrl }))).toEqual(['webUiUrl: webUiUrl must be an http(s) URL, e.g. "http://localhost:8233"']);
    }
    expect(issuesOf(() => parseTemporalWorkflowConfig({ webUiUrl: 8233 }))).toEqual(['webUiUrl: Invalid input: expected string, received number']);
  });

  it('refuses a URL with credentials: the field is stored with the run', () => {
    expect(issuesOf(() => parseTemporalWorkflowConfig({ webUiUrl: 'https://admin:hunter2@ui.example.com' }))).toEqual([
      'webUiUrl: webUiUrl must not carry credentials (user:password@): it is stored with the run',
    ]);
  });
});

describe('TemporalActivityConfig local', () => {
  it('is a boolean, off unless set', () => {
    expect(parseTemporalActivityConfig({ local: true })).toEqual({ local: true });
    expect(parseTemporalActivityConfig({ local: false, taskQueue: 'gpu', heartbeatTimeoutSeconds: 30 })).toEqual({ local: false, taskQueue: 'gpu', heartbeatTimeoutSeconds: 30 });
    expect(issuesOf(() => parseTemporalActivityConfig({ local: 'yes' }))).toEqual(['local: local must be true or false']);
    expect(resolveActivityConfig(undefined, undefined).local).toBe(false);
  });

  it('refuses taskQueue beside local: true, naming both fields', () => {
    expect(issuesOf(() => parseTemporalActivityConfig({ local: true, taskQueue: 'gpu' }))).toEqual([
      "taskQueue: taskQueue cannot be set with local: true: a local activity runs on the workflow's worker and task queue (drop taskQueue, or set local: false)",
    ]);
  });

  it('refuses an explicit heartbeatTimeoutSeconds beside local: true', () => {
    expect(issuesOf(() => parseTemporalActivityConfig({ local: true, heartbeatTimeoutSeconds: 10 }))).toEqual([
      'heartbeatTimeoutSeconds: heartbeatTimeoutSeconds cannot be set with local: true: a local activity does not heartbeat (drop heartbeatTimeoutSeconds, or set local: false)',
    ]);
  });

  it('refuses the same combinations in activityDefaults, under their path', () => {
    expect(issuesOf(() => parseTemporalWorkflowConfig({ activityDefaults: { local: true, taskQueue: 'gpu', heartbeatTimeoutSeconds: 5 } }))).toEqual([
      expect.stringMatching(/^activityDefaults\.taskQueue: taskQueue cannot be set with local: true/),
      expect.stringMatching(/^activityDefaults\.heartbeatTimeoutSeconds: heartbeatTimeoutSeconds cannot be set with local: true/),
    ]);
    expect(parseTemporalWorkflowConfig({ activityDefaults: { local: true, startToCloseTimeoutSeconds: 5 } })).toEqual({
      activityDefaults: { local: true, startToCloseTimeoutSeconds: 5 },
    });
  });

  it('a local step drops the inherited heartbeat timeout (the built-in 10 s too) and task queue', () => {
    const local = resolveActivityConfig(undefined, { local: true });
    expect(local.local).toBe(true);
    expect(local.heartbeatTimeoutSeconds).toBeUndefined();
    expect(local.startToCloseTimeoutSeconds).toBe(DEFAULT_ACTIVITY_CONFIG.startToCloseTimeoutSeconds);
    const overDefaults = resolveActivityConfig({ taskQueue: 'shared', heartbeatTimeoutSeconds: 30, retryMaxAttempts: 5 }, { local: true });
    expect(overDefaults).toMatchObject({ local: true, retryMaxAttempts: 5 });
    expect(overDefaults.taskQueue).toBeUndefined();
    expect(overDefaults.heartbeatTimeoutSeconds).toBeUndefined();
    // a regular step keeps them
    expect(resolveActivityConfig(undefined, undefined).heartbeatTimeoutSeconds).toBe(10);
  });

  it('local: true in activityDefaults makes every agent local, except one that opts out', () => {
    const defaults = { local: true };
    expect(resolveActivityConfig(defaults, undefined).local).toBe(true);
    expect(resolveActivityConfig(defaults, { retryMaxAttempts: 2 }).local).toBe(true);
    expect(resolveActivityConfig(defaults, { local: false })).toMatchObject({ local: false, heartbeatTimeoutSeconds: 10 });
    // an agent's own task queue or heartbeat timeout wins over the inherited switch
    expect(resolveActivityConfig(defaults, { taskQueue: 'gpu' })).toMatchObject({ local: false, taskQueue: 'gpu' });
    expect(resolveActivityConfig(defaults, { heartbeatTimeoutSeconds: 60 })).toMatchObject({ local: false, heartbeatTimeoutSeconds: 60 });
  });
});
