import type { FlockRunResult } from '@flock-ts/contracts';
import type { StepRecord, StepSummary } from '@flock-ts/core';
import type { FlockRunSummary, FlockRunView } from '@flock-ts/temporal';
import { compactJson, formatJson, formatList, formatResult, formatStarted, formatStatus, formatStepLine, formatStepLines, formatSteps } from './format';

const step = (index: number, agent: string, startedAt: string, finishedAt: string, attempt?: number): StepSummary => ({
  step: index,
  agent,
  startedAt,
  finishedAt,
  ...(attempt ? { attempt } : {}),
});

const steps = [
  step(0, 'reader', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.250Z'),
  step(1, 'ranker', '2026-01-01T10:00:00.300Z', '2026-01-01T10:00:01.300Z', 2),
];

/** The latest 20 of 45 steps, as a run result or status keeps them. */
const latest = Array.from({ length: 20 }, (_, i) => step(25 + i, i % 2 ? 'critic' : 'writer', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.010Z'));

const view: FlockRunView = {
  workflowId: 'docs-r1',
  runId: 'temporal-run',
  flockName: 'docs',
  startAgent: 'reader',
  sessionId: 's1',
  phase: 'running',
  executionStatus: 'RUNNING',
  currentAgent: 'reporter',
  stepsDone: 2,
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
    const many = Array.from({ length: 10 }, (_, i) => ({ ...steps[0], step: i }));
    const formatted = formatSteps(many, false);
    expect(formatted[0].startsWith('   1. reader')).toBe(true);
    expect(formatted[9].startsWith('  10. reader')).toBe(true);
  });

  it('prints nothing without steps', () => {
    expect(formatSteps([])).toEqual([]);
  });

  it('numbers the latest steps by their place in the run and says they are the latest of more', () => {
    const formatted = formatSteps(latest, true, 45);
    expect(formatted[0]).toBe('steps (latest 20 of 45; flockctl steps <workflow id> lists all):');
    expect(formatted[1].startsWith('  26. writer')).toBe(true);
    expect(formatted[20].startsWith('  45. critic')).toBe(true);
    expect(formatSteps(latest, false, 45)[0]).toBe('  (latest 20 of 45)');
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

  it('counts every step of the run, showing the latest', () => {
    const text = formatStatus({ ...view, steps: latest, stepsDone: 45 });
    expect(text).toContain('steps: 45\n  (latest 20 of 45)\n  26. writer');
  });

  it('counts the steps shown when the run did not say how many it took', () => {
    const { stepsDone: _stepsDone, ...withoutCount } = view;
    expect(formatStatus(withoutCount)).toContain('steps: 2\n  1. reader');
  });

  it('says the steps are unknown when only describe() answered', () => {
    const text = formatStatus({ ...view, source: 'describe', steps: [], phase: 'failed', executionStatus: 'FAILED', currentAgent: null });
    expect(text).toContain('steps: unknown (no worker answered the status query)');
    expect(text).toMatch(/current agent:\s+-/);
  });

  it('prints a warning when no worker polls the queue a step waits on, and none otherwise', () => {
    const warning = 'no worker polls task queue gpu-queue (agent ranker scheduled 12 s ago)';
    expect(formatStatus({ ...view, warning, waitingFor: { taskQueue: 'gpu-queue', kind: 'activity', agent: 'ranker', scheduledSecondsAgo: 12 } })).toMatch(
      /\nwarning:\s+no worker polls task queue gpu-queue \(agent ranker scheduled 12 s ago\)\n/,
    );
    expect(formatStatus(view)).not.toContain('warning');
  });
});

describe('formatResult', () => {
  const result: FlockRunResult = {
    runId: 'r1',
    flockName: 'docs',
    lastAgent: 'reporter',
    output: { report: '# Report\n\n1. a.txt', bestDocument: 'a.txt', scores: [1, 2] },
    stepCount: 2,
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

  it('counts every step of a long run and shows the latest 20 of them', () => {
    const text = formatResult('docs-r1', { ...result, stepCount: 45, steps: latest });
    expect(text).toContain('completed at agent reporter after 45 steps');
    expect(text).toContain('steps (latest 20 of 45; flockctl steps <workflow id> lists all):\n  26. writer');
    expect(text).not.toContain('  25. ');
  });

  it('shows token usage when the run reported it', () => {
    const text = formatResult('docs-r1', { ...result, stepCount: 1, steps: [steps[0]], usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } });
    expect(text).toContain('after 1 step\n');
    expect(text).toMatch(/tokens:\s+15 \(10 in, 5 out\)/);
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

  it('marks runs whose memo this client cannot read, and lists them all the same', () => {
    const text = formatList([run({ unreadable: 'encrypted: key k2', encryptedWithKey: 'k2' }), run({ flockName: undefined, unreadable: 'not encrypted' })]);
    const rows = text.trimEnd().split('\n');
    expect(rows[1]).toMatch(/^docs-r1\s+docs \(encrypted: key k2\)\s+completed/);
    expect(rows[2]).toMatch(/^docs-r1\s+\(not encrypted\)\s+completed/);
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

describe('formatStepLine and formatStepLines', () => {
  const record = (index: number, agent: string, output: Record<string, unknown>): StepRecord => ({
    step: index,
    agent,
    inputs: { text: 'secret input not printed' },
    output,
    startedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: '2026-01-01T10:00:01.500Z',
    attempt: index === 10 ? 3 : 1,
  });

  it('prints number, agent, times with duration and retries, and the output as one line of JSON', () => {
    expect(formatStepLine(record(0, 'upper', { text: 'multi\nline' }))).toBe(
      '  1. upper  2026-01-01T10:00:00.000Z -> 2026-01-01T10:00:01.500Z (1500 ms)  {"text":"multi\\nline"}',
    );
    expect(formatStepLine(record(10, 'count', {}))).toContain('11. count  2026-01-01T10:00:00.000Z -> 2026-01-01T10:00:01.500Z (1500 ms, attempt 3)  {}');
  });

  it('cuts a long output to the width, marking the cut', () => {
    const line = formatStepLine(record(0, 'upper', { text: 'x'.repeat(500) }), { number: 0, agent: 0 }, 40);
    const output = line.slice(line.indexOf('{'));
    expect(output).toHaveLength(40);
    expect(output).toBe(`{"text":"${'x'.repeat(30)}…`);
  });

  it('aligns every step of a run and counts them', () => {
    const text = formatStepLines(Array.from({ length: 11 }, (_, i) => record(i, i === 0 ? 'reader' : 'ok', { n: i })));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('   1. reader  2026-01-01T10:00:00.000Z -> 2026-01-01T10:00:01.500Z (1500 ms)  {"n":0}');
    expect(lines[10]).toBe('  11. ok      2026-01-01T10:00:00.000Z -> 2026-01-01T10:00:01.500Z (1500 ms, attempt 3)  {"n":10}');
    expect(lines[11]).toBe('11 steps');
    expect(text).not.toContain('secret input');
  });

  it('says when there is no step yet', () => {
    expect(formatStepLines([])).toBe('No finished steps yet.\n');
  });
});

describe('compactJson', () => {
  it('keeps short JSON whole and cuts long JSON at the width', () => {
    expect(compactJson({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(compactJson({ a: 'abcdef' }, 8)).toBe('{"a":"a…');
    expect(compactJson(undefined)).toBe('undefined');
  });
});
