import type { FlockRunResult, StepRecord } from '@flock-ts/contracts';
import type { FlockRunSummary, FlockRunView } from '@flock-ts/temporal';
import { formatJson, formatList, formatResult, formatStarted, formatStatus, formatSteps } from './format';

const step = (agent: string, startedAt: string, finishedAt: string, attempt?: number): StepRecord => ({
  agent,
  inputs: {},
  output: {},
  startedAt,
  finishedAt,
  ...(attempt ? { attempt } : {}),
});

const steps = [
  step('reader', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.250Z'),
  step('ranker', '2026-01-01T10:00:00.300Z', '2026-01-01T10:00:01.300Z', 2),
];

const view: FlockRunView = {
  workflowId: 'docs-r1',
  runId: 'temporal-run',
  flockName: 'docs',
  startAgent: 'reader',
  sessionId: 's1',
  phase: 'running',
  executionStatus: 'RUNNING',
  currentAgent: 'reporter',
  steps,
  source: 'query',
  taskQueue: 'agent-tasks',
  startTime: '2026-01-01T10:00:00.000Z',
  webUiUrl: 'http://localhost:8233/namespaces/default/workflows/docs-r1/temporal-run/history',
};

describe('formatStarted', () => {
  it('prints the workflow id and the Web UI link', () => {
    const text = formatStarted('docs', 'reader', {
      workflowId: 'docs-r1',
      runId: 'temporal-run',
      namespace: 'default',
      taskQueue: 'agent-tasks',
      webUiUrl: 'http://ui/x',
    });
    expect(text).toContain('Started flock docs at agent reader');
    expect(text).toMatch(/workflow id:\s+docs-r1/);
    expect(text).toMatch(/Web UI:\s+http:\/\/ui\/x/);
  });

  it('says how to get a link when the UI address is unknown', () => {
    const text = formatStarted('docs', 'reader', { workflowId: 'w', runId: 'r', namespace: 'n', taskQueue: 'q' });
    expect(text).toContain('set TEMPORAL_UI_URL');
  });
});

describe('formatSteps', () => {
  it('numbers steps with their times, duration and retries', () => {
    expect(formatSteps(steps)).toEqual([
      'steps:',
      '  1. reader  2026-01-01T10:00:00.000Z -> 2026-01-01T10:00:00.250Z (250 ms)',
      '  2. ranker  2026-01-01T10:00:00.300Z -> 2026-01-01T10:00:01.300Z (1000 ms, attempt 2)',
    ]);
  });

  it('aligns agent names past step 9', () => {
    const many = Array.from({ length: 10 }, () => steps[0]);
    const formatted = formatSteps(many, false);
    expect(formatted[0].startsWith('   1. reader')).toBe(true);
    expect(formatted[9].startsWith('  10. reader')).toBe(true);
  });

  it('prints nothing without steps', () => {
    expect(formatSteps([])).toEqual([]);
  });
});

describe('formatStatus', () => {
  it('shows phase, current agent, origin and steps', () => {
    const text = formatStatus(view);
    expect(text).toMatch(/flock:\s+docs \(from reader, session s1\)/);
    expect(text).toMatch(/phase:\s+running \(Temporal: RUNNING\)/);
    expect(text).toMatch(/current agent:\s+reporter/);
    expect(text).toContain('steps: 2');
    expect(text).toContain('  2. ranker');
  });

  it('says the steps are unknown when only describe() answered', () => {
    const text = formatStatus({ ...view, source: 'describe', steps: [], phase: 'failed', executionStatus: 'FAILED', currentAgent: null });
    expect(text).toContain('steps: unknown (no worker answered the status query)');
    expect(text).toMatch(/current agent:\s+-/);
  });
});

describe('formatResult', () => {
  const result: FlockRunResult = {
    runId: 'r1',
    flockName: 'docs',
    lastAgent: 'reporter',
    output: { report: '# Report\n\n1. a.txt', bestDocument: 'a.txt', scores: [1, 2] },
    steps,
    variables: {},
  };

  it('names who finished the run and prints multi-line text as written', () => {
    const text = formatResult('docs-r1', result);
    expect(text).toContain('Run docs-r1 of flock docs completed at agent reporter after 2 steps');
    expect(text).toContain('  report:\n    # Report\n\n    1. a.txt\n');
    expect(text).toContain('  bestDocument: a.txt\n');
    expect(text).toContain('  scores: [\n');
  });
});

describe('formatList', () => {
  const run = (over: Partial<FlockRunSummary>): FlockRunSummary => ({
    workflowId: 'docs-r1',
    runId: 'x',
    workflowType: 'FlockWorkflow',
    flockName: 'docs',
    startAgent: 'reader',
    phase: 'completed',
    executionStatus: 'COMPLETED',
    taskQueue: 'q',
    startTime: '2026-01-01T10:00:00.000Z',
    ...over,
  });

  it('aligns runs in columns, with the current agent of running ones', () => {
    const text = formatList([run({}), run({ workflowId: 'docs-long-id', phase: 'running', currentAgent: 'ranker', sessionId: 's1' })]);
    const rows = text.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^WORKFLOW ID\s+FLOCK\s+PHASE\s+START\s+CURRENT\s+SESSION\s+STARTED$/);
    expect(rows[1]).toMatch(/^docs-r1\s+docs\s+completed\s+reader\s+-\s+-\s+2026/);
    expect(rows[2]).toMatch(/^docs-long-id\s+docs\s+running\s+reader\s+ranker\s+s1\s+2026/);
    expect(rows[1].indexOf('docs ')).toBe(rows[2].indexOf('docs '));
  });

  it('says when nothing was found', () => {
    expect(formatList([])).toBe('No Flock runs found.\n');
  });
});

describe('formatJson', () => {
  it('prints parseable JSON with a final newline', () => {
    const text = formatJson({ a: 1 });
    expect(JSON.parse(text)).toEqual({ a: 1 });
    expect(text.endsWith('\n')).toBe(true);
  });
});
