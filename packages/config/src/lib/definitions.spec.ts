import { parseFlockDefinition } from './definitions';
import { FlockConfigError } from './errors';
import { DEFAULT_ACTIVITY_CONFIG, resolveActivityConfig, parseTemporalWorkflowConfig } from './temporal-config';

function configError(fn: () => unknown): FlockConfigError {
  try {
    fn();
  } catch (error) {
    expect((error as Error).name).toBe('FlockConfigError');
    return error as FlockConfigError;
  }
  throw new Error('expected a FlockConfigError');
}

const agent = (name: string, extra: object = {}) => ({ name, input: 'a: string', output: 'b: string', ...extra });

describe('parseFlockDefinition', () => {
  it('applies documented defaults', () => {
    const flock = parseFlockDefinition({ name: 'demo', agents: [agent('one')] });
    expect(flock.maxIterations).toBe(20);
    expect(flock.enableTemporal).toBe(false);
    expect(flock.agents[0].evaluator).toEqual({ kind: 'code' });
    expect(flock.agents[0].tools).toEqual([]);
  });

  it('names the path and the rule of each invalid value', () => {
    const error = configError(() =>
      parseFlockDefinition({
        name: 'demo',
        agents: [agent('one', { temporalActivityConfig: { retryMaxAttempts: 0 } }), agent('two', { input: 'x: strng' })],
        temporalConfig: { serverUrl: 'http://temporal:7233' },
      }),
    );
    const paths = error.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['agents[0].temporalActivityConfig.retryMaxAttempts', 'agents[1].input', 'temporalConfig.serverUrl']));
    expect(error.message).toContain('agents[0].temporalActivityConfig.retryMaxAttempts: retryMaxAttempts must be >= 1');
    expect(error.message).toContain('unknown type "strng"');
  });

  it('rejects duplicate agents and hand-offs to unknown agents', () => {
    const error = configError(() =>
      parseFlockDefinition({
        name: 'demo',
        agents: [agent('one', { next: { kind: 'static', agent: 'nobody' } }), agent('one')],
      }),
    );
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'agents[1].name', message: 'duplicate agent name "one"' },
        { path: 'agents[0].next.agent', message: 'hand-off to unknown agent "nobody" (known: one)' },
      ]),
    );
  });

  it("takes budget.onExceeded 'fail' or 'pause' on the flock and its agents, and names the path of any other value", () => {
    const flock = parseFlockDefinition({
      name: 'demo',
      budget: { maxTokens: 100, onExceeded: 'pause' },
      agents: [agent('one', { budget: { maxModelCalls: 2, onExceeded: 'fail' } })],
    });
    expect(flock.budget).toEqual({ maxTokens: 100, onExceeded: 'pause' });
    expect(flock.agents[0].budget).toEqual({ maxModelCalls: 2, onExceeded: 'fail' });
    // absent, it stays absent: 'fail' is what the run loop does without it
    expect(parseFlockDefinition({ name: 'demo', budget: { maxTokens: 100 }, agents: [agent('one')] }).budget).toEqual({ maxTokens: 100 });
    const error = configError(() => parseFlockDefinition({ name: 'demo', budget: { maxTokens: 100, onExceeded: 'ask' }, agents: [agent('one')] }));
    expect(error.issues).toEqual([{ path: 'budget.onExceeded', message: "budget.onExceeded must be 'fail' or 'pause'" }]);
  });

  it('rejects unknown keys so typos do not pass silently', () => {
    const error = configError(() => parseFlockDefinition({ name: 'demo', temporalConfig: { taskQueu: 'x' } }));
    expect(error.issues[0].path).toBe('temporalConfig');
    expect(error.issues[0].message).toContain('taskQueu');
  });
});

describe('resolveActivityConfig', () => {
  it('merges agent over flock defaults over built-in defaults', () => {
    const resolved = resolveActivityConfig(
      { startToCloseTimeoutSeconds: 60, retryMaxAttempts: 5, nonRetryableErrorTypes: ['AuthError'] },
      { retryMaxAttempts: 2, taskQueue: 'gpu', nonRetryableErrorTypes: ['QuotaError'] },
    );
    expect(resolved.startToCloseTimeoutSeconds).toBe(60);
    expect(resolved.retryMaxAttempts).toBe(2);
    expect(resolved.taskQueue).toBe('gpu');
    expect(resolved.retryBackoffCoefficient).toBe(DEFAULT_ACTIVITY_CONFIG.retryBackoffCoefficient);
    expect(resolved.nonRetryableErrorTypes).toEqual(['AuthError', 'QuotaError']);
  });

  it('keeps a finite number of attempts by default', () => {
    expect(resolveActivityConfig(undefined, undefined).retryMaxAttempts).toBe(3);
  });
});

describe('parseTemporalWorkflowConfig', () => {
  it('accepts the seed page example', () => {
    expect(parseTemporalWorkflowConfig({ serverUrl: 'temporal:7233', namespace: 'flock-example', taskQueue: 'agent-tasks' })).toEqual({
      serverUrl: 'temporal:7233',
      namespace: 'flock-example',
      taskQueue: 'agent-tasks',
    });
  });

  it('rejects a malformed duration with its path', () => {
    const error = configError(() => parseTemporalWorkflowConfig({ workflowRunTimeout: 'soon' }));
    expect(error.issues[0].path).toBe('workflowRunTimeout');
  });
});
