import { parseFlockDefinition } from '@flock-ts/config';
import { FLOCK_SEARCH_ATTRIBUTES, FLOCK_WORKFLOW_TYPE } from '@flock-ts/contracts';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { buildFlockWorkflowStart, flockWorkflowId, toFlockRunFailedError } from './run-start';

const definition = parseFlockDefinition({
  name: 'docs',
  agents: [
    { name: 'reader', input: 'folder: string', output: 'text: string', next: { kind: 'static', agent: 'reporter' } },
    { name: 'reporter', input: 'text: string', output: 'report: string' },
  ],
  temporalConfig: { taskQueue: 'docs-queue', apiKey: 'super-secret-key', workflowRunTimeout: '1 hour' },
});

describe('buildFlockWorkflowStart', () => {
  it('builds the stored forms of one definition once: equal definitions share them, other ones do not', () => {
    const again = parseFlockDefinition(definition);
    const [a, b] = [definition, again].map((def) => buildFlockWorkflowStart(def, { startAgent: 'reader', input: {} }));
    expect(a.options.args[0].definition).toBe(b.options.args[0].definition);
    expect(a.options.memo).toBe(b.options.memo);
    const other = parseFlockDefinition({ ...definition, description: 'another one' });
    const c = buildFlockWorkflowStart(other, { startAgent: 'reader', input: {} });
    expect(c.options.memo).not.toBe(a.options.memo);
    expect((c.options.args[0].definition as { description: string }).description).toBe('another one');
  });

  it('builds them anew when the definition holds values JSON cannot show (a Date in metadata)', () => {
    const dated = parseFlockDefinition({ ...definition, metadata: { since: new Date(0) } });
    const [a, b] = [0, 1].map(() => buildFlockWorkflowStart(dated, { startAgent: 'reader', input: {} }));
    expect(a.options.memo).not.toBe(b.options.memo);
    expect(a.options.memo).toEqual(b.options.memo);
  });

  it('names the workflow after the flock and the run id', () => {
    const start = buildFlockWorkflowStart(definition, { startAgent: 'reader', input: { folder: '.' }, runId: 'r1' });
    expect(start.workflowId).toBe('docs-r1');
    expect(start.options.workflowId).toBe('docs-r1');
    expect(start.runId).toBe('r1');
  });

  it('generates a run id when none is given', () => {
    const a = buildFlockWorkflowStart(definition, { startAgent: 'reader', input: {} });
    const b = buildFlockWorkflowStart(definition, { startAgent: 'reader', input: {} });
    expect(a.runId).not.toBe(b.runId);
    expect(a.workflowId).toBe(flockWorkflowId('docs', a.runId));
  });

  it('starts the latest workflow type unless the flock pins a version, and records the version in the snapshot', () => {
    const latest = buildFlockWorkflowStart(definition, { startAgent: 'reader', input: {} });
    expect(latest.workflowType).toBe('FlockWorkflowV2');
    expect(latest.options.args[0].definition.temporalConfig?.workflowVersion).toBe(2);
    expect(latest.options.memo?.['workflowVersion']).toBe(2);
    const pinned = { ...definition, temporalConfig: { ...definition.temporalConfig, workflowVersion: 1 } };
    expect(buildFlockWorkflowStart(pinned, { startAgent: 'reader', input: {} }).workflowType).toBe(FLOCK_WORKFLOW_TYPE);
  });

  it('refuses a run input a run could not store, naming the path', () => {
    expect(() => buildFlockWorkflowStart(definition, { startAgent: 'reader', input: { folder: () => 'x' } })).toThrow(
      expect.objectContaining({ name: 'FlockConfigError', message: expect.stringMatching(/input.folder: a function \(folder\) is not serializable/) }),
    );
  });

  it('uses the flock task queue unless the request overrides it', () => {
    expect(buildFlockWorkflowStart(definition, { startAgent: 'reader', input: {} }).options.taskQueue).toBe('docs-queue');
    expect(buildFlockWorkflowStart(definition, { startAgent: 'reader', input: {}, taskQueue: 'other' }).options.taskQueue).toBe('other');
  });

  it('carries start agent, input, run and session ids in the workflow input', () => {
    const start = buildFlockWorkflowStart(definition, { startAgent: 'reader', input: { folder: 'x' }, runId: 'r2', sessionId: 's1' });
    const [input] = start.options.args;
    expect(input).toMatchObject({ startAgent: 'reader', input: { folder: 'x' }, runId: 'r2', sessionId: 's1' });
    expect(input.definition.name).toBe('docs');
  });

  it('keeps secrets out of the workflow input and the memo', () => {
    const start = buildFlockWorkflowStart(definition, { startAgent: 'reader', input: {} });
    expect(JSON.stringify(start.options.args)).not.toContain('super-secret-key');
    expect(JSON.stringify(start.options.memo)).not.toContain('super-secret-key');
    expect(start.options.memo).toMatchObject({ flockName: 'docs' });
  });

  it('sets the FlockName, StartAgent, FlockRunPhase (running) and SessionId search attributes', () => {
    const start = buildFlockWorkflowStart(definition, { startAgent: 'reader', input: {}, sessionId: 's9' });
    expect(start.options.typedSearchAttributes).toEqual([
      { key: FLOCK_SEARCH_ATTRIBUTES.FlockName, value: 'docs' },
      { key: FLOCK_SEARCH_ATTRIBUTES.StartAgent, value: 'reader' },
      { key: FLOCK_SEARCH_ATTRIBUTES.FlockRunPhase, value: 'running' },
      { key: FLOCK_SEARCH_ATTRIBUTES.SessionId, value: 's9' },
    ]);
  });

  it('leaves SessionId unset without a session', () => {
    const start = buildFlockWorkflowStart(definition, { startAgent: 'reader', input: {} });
    const keys = (start.options.typedSearchAttributes as Array<{ key: { name: string } }>).map((pair) => pair.key.name);
    expect(keys).toEqual(['FlockName', 'StartAgent', 'FlockRunPhase']);
  });

  it('passes the workflow timeouts of the flock config', () => {
    expect(buildFlockWorkflowStart(definition, { startAgent: 'reader', input: {} }).options.workflowRunTimeout).toBe('1 hour');
  });

  it('rejects a start agent the flock does not have, naming the known ones', () => {
    expect(() => buildFlockWorkflowStart(definition, { startAgent: 'writer', input: {} })).toThrow(
      expect.objectContaining({ name: 'UnknownAgentError', message: expect.stringContaining('reader, reporter') }),
    );
  });
});

describe('toFlockRunFailedError', () => {
  it('names the code, failure type, failed agent and where to look (a v1 failure: type and agent only)', () => {
    const cause = ApplicationFailure.create({ message: 'agent ranker failed', type: 'AgentExecutionError', details: [{ agent: 'ranker' }] });
    const error = toFlockRunFailedError(new WorkflowFailedError('Workflow execution failed', cause, 'NON_RETRYABLE_FAILURE'), 'docs-r1');
    expect(error).toMatchObject({
      name: 'FlockRunFailedError',
      code: 'AGENT_FAILED',
      workflowId: 'docs-r1',
      failureType: 'AgentExecutionError',
      agent: 'ranker',
    });
    expect(error.message).toBe('agent ranker failed (workflow docs-r1)');
  });

  it('reads code and cause type from v2 failure details, and says where the run is in the Web UI', () => {
    const cause = ApplicationFailure.create({
      message: 'Output of agent "big" is 2500000 bytes',
      type: 'PayloadTooLargeError',
      details: [{ code: 'PAYLOAD_TOO_LARGE', agent: 'big', causeType: 'PayloadTooLargeError' }],
    });
    const error = toFlockRunFailedError(new WorkflowFailedError('Workflow execution failed', cause, 'NON_RETRYABLE_FAILURE'), 'docs-r2', 'http://ui/x');
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', agent: 'big', causeType: 'PayloadTooLargeError', webUiUrl: 'http://ui/x' });
    expect(error.message).toBe('Output of agent "big" is 2500000 bytes (workflow docs-r2: http://ui/x)');
  });

  it('names a cancelled run CANCELLED', () => {
    const error = toFlockRunFailedError(new WorkflowFailedError('Workflow execution cancelled', new CancelledFailure('cancelled by user'), 'NON_RETRYABLE_FAILURE'), 'docs-r3');
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'CANCELLED' });
  });

  it('passes other errors through', () => {
    const other = new Error('connection refused');
    expect(toFlockRunFailedError(other, 'docs-r1')).toBe(other);
  });
});
