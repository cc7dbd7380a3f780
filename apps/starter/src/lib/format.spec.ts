import type { FlockRunResult } from '@flock-ts/contracts';
import { execFileSync } from 'node:child_process';
import type { FlockRunEvent, RunResult, StepRecord, StepSummary, WaitingFor } from '@flock-ts/core';
import type { FlockRunSummary, FlockRunView } from '@flock-ts/temporal';
import {
  answerTemplate,
  compactJson,
  EventFormatter,
  formatCancelOutcome,
  formatJson,
  formatList,
  formatReceipt,
  formatResult,
  formatStarted,
  formatStatus,
  formatStepLine,
  formatStepLines,
  formatSteps,
  respondCommand,
  shellQuote,
} from './format';

const step = (index: number, agent: string, startedAt: string, finishedAt: string, attempt?: number): StepSummary => ({
  step: index,
  agent,
  startedAt,
  finishedAt,
  ...(attempt ? { attempt } : {}),
});

const steps = [step(0, 'reader', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.250Z'), step(1, 'ranker', '2026-01-01T10:00:00.300Z', '2026-01-01T10:00:01.300Z', 2)];

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
    expect(text).toMatch(/Web UI:\s+none known \(set TEMPORAL_UI_URL or temporalConfig\.webUiUrl\)\n/);
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
    expect(formatStatus({ ...view, warning, stalled: { taskQueue: 'gpu-queue', kind: 'activity', agent: 'ranker', scheduledSecondsAgo: 12 } })).toMatch(
      /\nwarning:\s+no worker polls task queue gpu-queue \(agent ranker scheduled 12 s ago\)\n/,
    );
    expect(formatStatus(view)).not.toContain('warning');
  });
});

describe('formatStatus: usage and budgets', () => {
  const usage = { inputTokens: 1000, outputTokens: 234, totalTokens: 1234, modelCalls: 3 };

  it('prints the usage so far against the run budget', () => {
    const text = formatStatus({ ...view, usage, budget: { maxTokens: 5000, maxModelCalls: 10 } });
    expect(text).toContain('usage:         tokens: 1,234 of 5,000 · model calls: 3 of 10\n');
  });

  it('prints the usage without an "of" part when the run has no budget', () => {
    expect(formatStatus({ ...view, usage })).toContain('usage:         tokens: 1,234 · model calls: 3\n');
    expect(formatStatus({ ...view, usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } })).toContain('usage:         tokens: 15\n');
  });

  it('prints each limit of the budget, even before anything was spent', () => {
    expect(formatStatus({ ...view, budget: { maxModelCalls: 4 } })).toContain('usage:         model calls: 0 of 4\n');
    expect(formatStatus({ ...view, usage, budget: { maxModelCalls: 4 } })).toContain('usage:         tokens: 1,234 · model calls: 3 of 4\n');
  });

  it('prints the usage of each agent that has a budget of its own, aligned', () => {
    const text = formatStatus({
      ...view,
      usage,
      budget: { maxTokens: 1_000_000 },
      agentUsage: { writer: { inputTokens: 700, outputTokens: 100, totalTokens: 800, modelCalls: 2 }, fact_checker: { inputTokens: 90, outputTokens: 10, totalTokens: 100 } },
    });
    expect(text).toContain('usage:         tokens: 1,234 of 1,000,000 · model calls: 3\n  writer:       tokens: 800 · model calls: 2\n  fact_checker: tokens: 100\n');
  });

  it('prints no usage line when the run reported no usage and has no budget', () => {
    expect(formatStatus(view)).not.toContain('usage:');
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
    expect(formatStepLine(record(0, 'upper', { text: 'multi\nline' }))).toBe('  1. upper  2026-01-01T10:00:00.000Z -> 2026-01-01T10:00:01.500Z (1500 ms)  {"text":"multi\\nline"}');
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

describe('EventFormatter', () => {
  const writerRecord: StepRecord = {
    step: 0,
    agent: 'writer',
    inputs: { topic: 'owls' },
    output: { draft: 'Owls hunt at night.' },
    startedAt: '2026-01-01T10:00:00.000Z',
    finishedAt: '2026-01-01T10:00:01.250Z',
    attempt: 1,
    usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 },
    nextAgent: 'editor',
  };
  const approval: WaitingFor = { kind: 'approval', agent: 'writer', step: 0, prompt: 'Publish this draft?', since: '2026-01-01T10:00:01.300Z' };
  const input: WaitingFor = {
    kind: 'input',
    agent: 'editor',
    step: 1,
    prompt: 'Summarize the draft',
    signature: 'summary: string, score: integer, notes?: string',
    deadline: '2026-01-02T10:00:00.000Z',
  };
  const result: RunResult = {
    runId: 'r1',
    flockName: 'docs',
    lastAgent: 'editor',
    output: { summary: 'Owls.', score: 4 },
    variables: {},
    stepCount: 2,
    steps: [],
    usage: { inputTokens: 100, outputTokens: 20, totalTokens: 120 },
  };

  const print = (events: FlockRunEvent[], formatter = new EventFormatter({ workflowId: 'docs-r1' })) => events.map((event) => formatter.format(event)).join('') + formatter.end();

  it('prints a step as it starts and completes, with duration, tokens and an output preview', () => {
    expect(
      print([
        { type: 'step-started', step: 0, agent: 'writer' },
        { type: 'step-completed', record: writerRecord },
      ]),
    ).toBe('step 1 writer started\nstep 1 writer completed in 1250 ms, 120 tokens (100 in, 20 out): {"draft":"Owls hunt at night."}\n');
  });

  it('cuts a long output preview and names a retried attempt', () => {
    const formatter = new EventFormatter({ workflowId: 'w', outputWidth: 20 });
    const text = formatter.format({ type: 'step-completed', record: { ...writerRecord, attempt: 3, usage: undefined, output: { draft: 'x'.repeat(100) } } });
    expect(text).toBe(`step 1 writer completed in 1250 ms, attempt 3: {"draft":"${'x'.repeat(9)}…\n`);
  });

  it('streams model text inline, each line prefixed, closing the open line before the next event', () => {
    const text = print([
      { type: 'step-started', step: 0, agent: 'writer' },
      { type: 'text-delta', step: 0, agent: 'writer', delta: 'Owls ' },
      { type: 'text-delta', step: 0, agent: 'writer', delta: 'hunt\nat ' },
      { type: 'text-delta', step: 0, agent: 'writer', delta: 'night.' },
      { type: 'step-completed', record: writerRecord },
    ]);
    expect(text).toBe(
      ['step 1 writer started', '  | Owls hunt', '  | at night.', 'step 1 writer completed in 1250 ms, 120 tokens (100 in, 20 out): {"draft":"Owls hunt at night."}', ''].join(
        '\n',
      ),
    );
  });

  it('returns each delta as it comes, so text shows before its step ends', () => {
    const formatter = new EventFormatter({ workflowId: 'w' });
    formatter.format({ type: 'step-started', step: 0, agent: 'writer' });
    expect(formatter.format({ type: 'text-delta', step: 0, agent: 'writer', delta: 'Ow' })).toBe('  | Ow');
    expect(formatter.format({ type: 'text-delta', step: 0, agent: 'writer', delta: 'ls' })).toBe('ls');
    expect(formatter.end()).toBe('\n');
    expect(formatter.end()).toBe('');
  });

  it('starts a new text block when another step streams', () => {
    const text = print([
      { type: 'text-delta', step: 0, agent: 'a', delta: 'one' },
      { type: 'text-delta', step: 1, agent: 'b', delta: 'two\n' },
      { type: 'run-completed', result },
    ]);
    expect(text.startsWith('  | one\n  | two\ncompleted at agent editor')).toBe(true);
  });

  it('shows an approval wait with the output of its step and the commands to approve or reject', () => {
    const text = print([
      { type: 'step-completed', record: writerRecord },
      { type: 'waiting', waitingFor: approval },
    ]);
    expect(text.split('\n').slice(1)).toEqual([
      'waiting for approval of step 1 writer',
      '  prompt:      Publish this draft?',
      '  output:      {"draft":"Owls hunt at night."}',
      '  approve:     flockctl respond docs-r1 --step 1 --approve',
      "  reject:      flockctl respond docs-r1 --step 1 --reject --comment '<why>'",
      '',
    ]);
  });

  it('shows an input wait with prompt, the signature to answer, its deadline and a respond command to fill in', () => {
    const formatter = new EventFormatter({ workflowId: 'docs-r1', commandFlags: ['--server', 'temporal:7233', '--namespace', 'flock example'] });
    expect(formatter.format({ type: 'waiting', waitingFor: input }).split('\n')).toEqual([
      'waiting for input for step 2 editor (times out 2026-01-02T10:00:00.000Z)',
      '  prompt:      Summarize the draft',
      '  answer with: summary: string, score: integer, notes?: string',
      `  respond:     flockctl respond docs-r1 --step 2 --input '{"summary":"...","score":0}' --server temporal:7233 --namespace 'flock example'`,
      '',
    ]);
  });

  it('prints a budget pause with what was crossed and the resume command that raises the limit', () => {
    const budgetExceeded = { agent: 'writer', limit: 'maxTokens' as const, scope: 'run' as const, used: 5210, max: 5000 };
    expect(print([{ type: 'paused', reason: 'Budget: ...', budgetExceeded }])).toBe(
      "paused by its budget: agent \"writer\" crossed the run's token budget: 5210 tokens used, maxTokens is 5000; go on with a higher maxTokens: flockctl resume docs-r1 --max-tokens '<n>'\n",
    );
  });

  it('prints responses, pauses and resumes', () => {
    const text = print([
      { type: 'response', kind: 'approval', step: 0, agent: 'writer', approved: false, comment: 'too short', by: 'alice' },
      { type: 'response', kind: 'approval', step: 0, agent: 'writer', approved: true },
      { type: 'response', kind: 'input', step: 1, agent: 'editor', by: 'bob' },
      { type: 'paused', reason: 'budget review' },
      { type: 'resumed' },
    ]);
    expect(text.split('\n')).toEqual([
      'response: step 1 writer rejected by alice: "too short"',
      'response: step 1 writer approved',
      'response: input for step 2 editor accepted by bob',
      'paused (budget review): no further step starts until resumed (flockctl resume docs-r1)',
      'resumed',
      '',
    ]);
  });

  it('prints the result of a completed run', () => {
    expect(print([{ type: 'run-completed', result }])).toBe('completed at agent editor after 2 steps, 120 tokens (100 in, 20 out); output:\n  summary: Owls.\n  score: 4\n');
  });

  it('prints a failure with its code, agent, message and the Web UI link when known', () => {
    const formatter = new EventFormatter({ workflowId: 'docs-r1', webUiUrl: 'http://ui/docs-r1' });
    expect(formatter.format({ type: 'run-failed', code: 'AGENT_FAILED', agent: 'editor', message: 'Agent "editor" failed: boom' })).toBe(
      'failed: AGENT_FAILED at agent editor: Agent "editor" failed: boom\n  Web UI: http://ui/docs-r1\n',
    );
    expect(print([{ type: 'run-failed', code: 'REJECTED', message: 'rejected' }])).toBe('failed: REJECTED: rejected\n');
    expect(print([{ type: 'run-failed', code: 'CANCELLED', message: 'Run "docs-r1" was cancelled' }])).toBe('cancelled: Run "docs-r1" was cancelled\n');
  });
});

describe('respondCommand and answerTemplate', () => {
  it('fills the required fields of a signature with placeholders of their types', () => {
    expect(answerTemplate("summary: string, score: integer, ok: boolean, tags: string[], tone: 'calm' | 'loud', meta: { by: string }, note?: string")).toEqual({
      summary: '...',
      score: 0,
      ok: false,
      tags: [],
      tone: 'calm',
      meta: { by: '...' },
    });
    expect(answerTemplate('note?: string')).toEqual({ note: '...' });
    expect(answerTemplate(undefined)).toEqual({});
    expect(answerTemplate('not a ::: signature')).toEqual({});
  });

  it('fills a JSON schema signature', () => {
    expect(answerTemplate({ jsonSchema: { type: 'object', properties: { a: { type: 'number' }, b: { enum: ['x', 'y'] }, c: { type: 'string' } }, required: ['a', 'b'] } })).toEqual(
      { a: 0, b: 'x' },
    );
  });

  it('quotes what a shell would split or expand, so the printed command reaches the run as shown', () => {
    expect(shellQuote('docs-r1')).toBe('docs-r1');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const command = respondCommand("docs $HOME it's", { kind: 'input', agent: 'a', step: 0, signature: { jsonSchema: { properties: { tone: { enum: ["it's"] } } } } });
    expect(command).toBe(`flockctl respond 'docs $HOME it'\\''s' --step 1 --input '{"tone":"it'\\''s"}'`);
    // what a POSIX shell makes of it: the same words
    const words = execFileSync('sh', ['-c', `printf '%s\\n' ${command.slice('flockctl '.length)}`], { encoding: 'utf8' });
    expect(words.split('\n').slice(0, 5)).toEqual(['respond', "docs $HOME it's", '--step', '1', '--input']);
    expect(JSON.parse(words.split('\n')[5])).toEqual({ tone: "it's" });
  });
});

describe('formatStatus of a run that waits or pauses', () => {
  const waiting = (waitingFor: WaitingFor, over: Partial<FlockRunView> = {}): FlockRunView => ({
    ...view,
    phase: 'waiting',
    currentAgent: waitingFor.agent,
    waitingFor,
    ...over,
  });

  it('shows what an input wait needs and the command to answer it', () => {
    const text = formatStatus(waiting({ kind: 'input', agent: 'editor', step: 2, prompt: 'Summarize', signature: 'summary: string', since: '2026-01-01T10:00:02.000Z' }));
    expect(text).toMatch(/phase:\s+waiting \(Temporal: RUNNING\)/);
    expect(text).toContain('waiting for:   input for step 3 editor (since 2026-01-01T10:00:02.000Z)\n');
    expect(text).toContain('prompt:        Summarize\n');
    expect(text).toContain('answer with:   summary: string\n');
    expect(text).toContain(`respond:       flockctl respond docs-r1 --step 3 --input '{"summary":"..."}'\n`);
  });

  it('shows the output an approval waits on, its deadline and both commands', () => {
    const text = formatStatus(waiting({ kind: 'approval', agent: 'writer', step: 1, output: { draft: 'Owls.' }, deadline: '2026-01-02T00:00:00.000Z' }), ['--namespace', 'ns2']);
    expect(text).toContain('waiting for:   approval of step 2 writer (times out 2026-01-02T00:00:00.000Z)\n');
    expect(text).toContain('output:        {"draft":"Owls."}\n');
    expect(text).toContain('approve:       flockctl respond docs-r1 --step 2 --approve --namespace ns2\n');
    expect(text).toContain("reject:        flockctl respond docs-r1 --step 2 --reject --comment '<why>' --namespace ns2\n");
  });

  it('shows a budget pause: the agent, the limit, used and max, and the resume command with its flag', () => {
    const budgetExceeded = { agent: 'researcher', limit: 'maxModelCalls' as const, scope: 'agent' as const, used: 12, max: 10 };
    const text = formatStatus(
      { ...view, phase: 'paused', pauseRequested: true, budgetExceeded, usage: { inputTokens: 900, outputTokens: 100, totalTokens: 1000, modelCalls: 12 } },
      ['--namespace', 'ns2'],
    );
    expect(text).toContain('paused:        by its budget: agent "researcher" crossed its own model-call budget: 12 model calls used, maxModelCalls is 10\n');
    expect(text).toContain("resume:        flockctl resume docs-r1 --max-model-calls '<n>' --namespace ns2 (n above 12)\n");
    expect(text).not.toContain('until resumed');
  });

  it('says a paused run waits for resume, and that a requested pause takes effect at the next step boundary', () => {
    expect(formatStatus({ ...view, phase: 'paused', pauseRequested: true })).toContain('paused:        until resumed: flockctl resume docs-r1\n');
    expect(formatStatus({ ...view, pauseRequested: true })).toContain('pause:         requested: the run pauses at the next step boundary\n');
    expect(formatStatus(view)).not.toMatch(/paus|waiting for/);
  });
});

describe('formatReceipt and formatCancelOutcome', () => {
  it('says what the run accepted', () => {
    expect(formatReceipt('docs-r1', { kind: 'input', agent: 'editor', step: 2 })).toBe('Input accepted for step 3 editor (run docs-r1); the run goes on.\n');
    expect(formatReceipt('docs-r1', { kind: 'approval', agent: 'writer', step: 0 }, true)).toBe('Approved the output of step 1 writer (run docs-r1); the run goes on.\n');
    expect(formatReceipt('docs-r1', { kind: 'approval', agent: 'writer', step: 0 }, false)).toContain('Rejected the output of step 1 writer');
  });

  it('says truthfully how a cancellation ended', () => {
    expect(formatCancelOutcome('w', 'cancelled')).toBe('Cancelled w: the running step stopped and the run ended cancelled.\n');
    expect(formatCancelOutcome('w', 'completed')).toBe('Run w had already completed before the cancellation arrived; nothing was cancelled.\n');
    expect(formatCancelOutcome('w', 'failed')).toContain('had already failed before the cancellation arrived');
    expect(formatCancelOutcome('w', 'running', 'gpu-queue')).toBe(
      'Cancellation requested for w; the run has not ended yet (is a worker running for task queue gpu-queue? It ends once a worker takes the cancellation).\n',
    );
  });
});
