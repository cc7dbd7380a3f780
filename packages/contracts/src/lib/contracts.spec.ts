import { ActivityCancellationType } from '@temporalio/common';
import { resolveActivityConfig } from '@flock-ts/config';
import { ACTIVITY_TYPES } from './activities';
import { toActivityOptions } from './activity-options';
import { FLOCK_SEARCH_ATTRIBUTES, FLOCK_SEARCH_ATTRIBUTE_TYPES } from './search-attributes';
import { FLOCK_WORKFLOW_TYPE, LATEST_WORKFLOW_VERSION, PATCHES_BY_VERSION, SUPPORTED_WORKFLOW_VERSIONS, flockWorkflowType } from './versions';
import { readFlockWorkflowInput } from './wire';
import { FlockWorkflowInputSchema } from './wire-schemas';

/** A run's state as it is carried into continue-as-new. */
const carriedState = {
  runId: 'r1',
  flockName: 'docs',
  startAgent: 'reader',
  input: {},
  variables: {},
  fields: { b: 'x' },
  next: 'reader',
  stepCount: 7,
  lastOutputKeys: ['b'],
  recent: [],
  tail: [],
};

describe('workflow versions', () => {
  it('maps version 1 to FlockWorkflow and version 2 (the latest) to FlockWorkflowV2', () => {
    expect(flockWorkflowType(1)).toBe(FLOCK_WORKFLOW_TYPE);
    expect(flockWorkflowType(2)).toBe('FlockWorkflowV2');
    expect(LATEST_WORKFLOW_VERSION).toBe(2);
    expect(flockWorkflowType()).toBe(flockWorkflowType(LATEST_WORKFLOW_VERSION));
  });

  it('lists the patches of every served version', () => {
    expect(Object.keys(PATCHES_BY_VERSION).map(Number).sort()).toEqual([...SUPPORTED_WORKFLOW_VERSIONS].sort());
  });

  it('refuses a version this build does not serve, listing the ones it does', () => {
    expect(() => flockWorkflowType(99)).toThrow(`Unsupported workflowVersion 99: this build serves versions ${SUPPORTED_WORKFLOW_VERSIONS.join(', ')}`);
  });
});

describe('toActivityOptions', () => {
  it('turns seconds into milliseconds and carries the retry policy', () => {
    const options = toActivityOptions(
      resolveActivityConfig(
        { startToCloseTimeoutSeconds: 60, retryMaxAttempts: 4 },
        { scheduleToStartTimeoutSeconds: 10, heartbeatTimeoutSeconds: 2.5, taskQueue: 'gpu', nonRetryableErrorTypes: ['AuthError'] },
      ),
      'researcher',
    );
    expect(options).toMatchObject({
      startToCloseTimeout: 60_000,
      scheduleToStartTimeout: 10_000,
      heartbeatTimeout: 2_500,
      taskQueue: 'gpu',
      summary: 'agent researcher',
      retry: { maximumAttempts: 4, initialInterval: 1_000, backoffCoefficient: 2, maximumInterval: 60_000 },
    });
    expect(options.retry?.nonRetryableErrorTypes).toEqual(['AuthError']);
  });

  it('leaves unset timeouts and the task queue to Temporal; heartbeats by default so dead workers are noticed in seconds', () => {
    const options = toActivityOptions(resolveActivityConfig(undefined, undefined));
    expect(Object.keys(options).sort()).toEqual(['cancellationType', 'heartbeatTimeout', 'retry', 'startToCloseTimeout']);
    expect(options.cancellationType).toBe(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED);
    expect(options.heartbeatTimeout).toBe(10_000);
  });
});

describe('FlockWorkflowInputSchema', () => {
  const definition = { name: 'docs', agents: [{ name: 'reader', input: 'a: string', output: 'b: string' }] };

  it('accepts a valid input and fills definition defaults', () => {
    const parsed = FlockWorkflowInputSchema.parse({ definition, startAgent: 'reader', input: { a: 'x' }, runId: 'r1' });
    expect(parsed.definition.maxIterations).toBe(20);
  });

  it('names what is missing', () => {
    const result = FlockWorkflowInputSchema.safeParse({ definition, input: {}, runId: '' });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['startAgent', 'runId']);
  });

  it('accepts the state a run carries into continue-as-new, and refuses a state without its counters', () => {
    expect(FlockWorkflowInputSchema.safeParse({ definition, startAgent: 'reader', input: {}, runId: 'r1', continued: { state: carriedState, runs: 2 } }).success).toBe(true);
    const broken = FlockWorkflowInputSchema.safeParse({ definition, startAgent: 'reader', input: {}, runId: 'r1', continued: { state: { fields: {} }, runs: 2 } });
    expect(broken.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(['continued.state: the carried run state must have stepCount and fields']);
  });
});

describe('readFlockWorkflowInput, the plain check in the workflow', () => {
  const definition = { name: 'docs', agents: [{ name: 'reader', input: 'a: string', output: 'b: string' }] };

  it('accepts every input the schema produces, unchanged', () => {
    for (const raw of [
      { definition, startAgent: 'reader', input: { a: 'x' }, runId: 'r1' },
      { definition, startAgent: 'reader', input: {}, runId: 'r1', sessionId: 's1', continued: { state: carriedState, runs: 2, paused: true } },
    ]) {
      const parsed = FlockWorkflowInputSchema.parse(raw);
      expect(readFlockWorkflowInput(parsed)).toEqual({ ok: true, value: parsed });
    }
  });

  it('names each field that is missing or of the wrong kind, as path: rule', () => {
    const parsed = FlockWorkflowInputSchema.parse({ definition, startAgent: 'reader', input: {}, runId: 'r1' });
    const read = readFlockWorkflowInput({
      ...parsed,
      startAgent: '',
      input: [],
      definition: { ...parsed.definition, agents: [{ name: 'reader' }] },
      continued: { state: { fields: {} }, runs: 0 },
    });
    expect(read).toEqual({
      ok: false,
      issues: [
        'definition.agents.0.evaluator: expected an evaluator with a kind',
        'startAgent: expected a non-empty string',
        'input: expected an object',
        'continued.state: the carried run state must have stepCount and fields',
        'continued.runs: expected a positive integer',
      ],
    });
  });

  it('refuses a definition that was never parsed (no defaults), pointing at the client that sends parsed ones', () => {
    const read = readFlockWorkflowInput({ definition, startAgent: 'reader', input: {}, runId: 'r1' });
    expect(read.ok).toBe(false);
    expect((read as { issues: string[] }).issues.join('; ')).toMatch(/definition\.maxIterations: expected a number \(a parsed definition, as buildFlockWorkflowStart sends\)/);
    expect(readFlockWorkflowInput(null)).toEqual({ ok: false, issues: ['(root): expected an object'] });
  });
});

describe('names shared with histories and the namespace', () => {
  it('keeps activity type names equal to the interface method names', () => {
    expect(ACTIVITY_TYPES).toEqual({
      runAgentStep: 'runAgentStep',
      callAgentModel: 'callAgentModel',
      callAgentTool: 'callAgentTool',
      finishAgentStep: 'finishAgentStep',
      evaluateAgent: 'evaluateAgent',
      routeNextAgent: 'routeNextAgent',
    });
  });

  it('registers every search attribute key it defines', () => {
    expect(Object.keys(FLOCK_SEARCH_ATTRIBUTE_TYPES).sort()).toEqual(Object.keys(FLOCK_SEARCH_ATTRIBUTES).sort());
    for (const [name, key] of Object.entries(FLOCK_SEARCH_ATTRIBUTES)) expect(key.name).toBe(name);
  });
});
