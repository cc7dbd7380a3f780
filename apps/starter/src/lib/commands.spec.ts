import type { FlockRunResult } from '@flock-ts/contracts';
import type { FlockRunStatus } from '@flock-ts/contracts';
import { Flock, InvalidResponseError, InvalidRunCommandError, defineAgent, type FlockResponse, type FlockRunEvent, type StepRecord } from '@flock-ts/core';
import { FlockRunFailedError, type FlockRunView, type FlockStartRequest, type StepLedgerOptions } from '@flock-ts/temporal';
import { parseStarterArgs } from './cli';
import { executeCommand, type ExampleFlock, type RunsApi, type StarterDeps } from './commands';

const echo = defineAgent({ name: 'echo', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text }) });
const shout = defineAgent({ name: 'shout', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text }) });

const result: FlockRunResult = { runId: 'r1', flockName: 'docs', lastAgent: 'echo', output: { text: 'hi' }, stepCount: 0, steps: [], variables: {} };

const record = (step: number, agent: string, output: Record<string, unknown>): StepRecord => ({
  step,
  agent,
  inputs: { text: 'hi' },
  output,
  startedAt: `2026-01-01T10:00:0${step}.000Z`,
  finishedAt: `2026-01-01T10:00:0${step}.250Z`,
  attempt: 1,
  nextAgent: null,
});

/** A step ledger that yields `records` and remembers how it was asked. */
function ledger(records: StepRecord[]) {
  const calls: Array<{ workflowId: string; options: StepLedgerOptions | undefined }> = [];
  const steps: RunsApi['steps'] = (workflowId, options) => {
    calls.push({ workflowId, options });
    return (async function* () {
      yield* records;
    })();
  };
  return { steps, calls };
}

interface Recorded {
  connections: Array<{ address: string; namespace: string }>;
  starts: Array<{ flock: string; request: FlockStartRequest }>;
  closed: number;
  stdout: string;
  stderr: string;
}

interface SetupOptions {
  flocks?: Flock[];
  examples?: ExampleFlock[];
  env?: Record<string, string>;
  client?: Partial<RunsApi>;
  connectError?: Error;
  interrupt?: AbortSignal;
}

function setup(options: SetupOptions = {}) {
  const recorded: Recorded = { connections: [], starts: [], closed: 0, stdout: '', stderr: '' };
  const client: RunsApi = {
    start: async (flock, request) => {
      recorded.starts.push({ flock: (flock as Flock).name, request });
      return { workflowId: `${(flock as Flock).name}-${request.runId ?? 'r1'}`, runId: 'temporal-run', namespace: 'ns', taskQueue: request.taskQueue ?? 'flock-agents' };
    },
    result: async () => result,
    status: async () => ({}) as FlockRunView,
    steps: () => (async function* () {})(),
    list: async () => [],
    events: () => (async function* () {})(),
    respond: async () => ({ agent: 'echo', step: 0, kind: 'input' }),
    pause: async () => ({}) as FlockRunStatus,
    resume: async () => ({}) as FlockRunStatus,
    cancel: async () => 'cancelled',
    close: async () => {
      recorded.closed++;
    },
    ...options.client,
  };
  const deps: StarterDeps = {
    env: options.env ?? {},
    cwd: '/work',
    stdout: (text) => (recorded.stdout += text),
    stderr: (text) => (recorded.stderr += text),
    connect: async (connection) => {
      if (options.connectError) throw options.connectError;
      recorded.connections.push({ address: connection.address, namespace: connection.namespace });
      return client;
    },
    loadFlocks: async () => options.flocks ?? [],
    exampleFlocks: () => options.examples ?? [],
    ...(options.interrupt ? { interrupt: options.interrupt } : {}),
  };
  const run = (argv: string[]) => executeCommand(parseStarterArgs(argv, '/work'), deps);
  return { recorded, run };
}

describe('flockctl run', () => {
  it('starts the module flock at the given agent with the given input, and closes the client', async () => {
    const { recorded, run } = setup({ flocks: [new Flock({ name: 'docs', agents: [echo, shout] })] });
    expect(await run(['run', '--flock', './docs.js', '--agent', 'shout', '--input', '{"text":"hi"}', '--session', 's1'])).toBe(0);
    expect(recorded.starts).toEqual([{ flock: 'docs', request: { startAgent: 'shout', input: { text: 'hi' }, sessionId: 's1' } }]);
    expect(recorded.stdout).toMatch(/workflow id:\s+docs-r1/);
    expect(recorded.closed).toBe(1);
  });

  it('refuses an unknown start agent or a secret in the input before connecting', async () => {
    const { recorded, run } = setup({ flocks: [new Flock({ name: 'docs', agents: [echo, shout] })], connectError: new Error('must not connect') });
    expect(await run(['run', '--flock', './docs.js', '--agent', 'nope'])).toBe(2);
    expect(recorded.stderr).toContain('Unknown start agent "nope" (known agents: echo, shout)');
    expect(await run(['run', '--flock', './docs.js', '--agent', 'echo', '--input', '{"apiKey":"sk-abc"}'])).not.toBe(0);
    expect(recorded.stderr).toContain('apiKey');
    expect(recorded.stderr).not.toContain('must not connect');
    expect(recorded.connections).toEqual([]);
  });

  it('starts at the first agent with an empty input by default', async () => {
    const { recorded, run } = setup({ flocks: [new Flock({ name: 'docs', agents: [echo, shout] })] });
    await run(['run', '--flock', './docs.js']);
    expect(recorded.starts[0].request).toEqual({ startAgent: 'echo', input: {} });
  });

  it('connects where the flock says, unless the command line says otherwise', async () => {
    const flock = new Flock({ name: 'docs', agents: [echo], temporalConfig: { serverUrl: 'temporal:7233', namespace: 'flock-example', taskQueue: 'agent-tasks' } });
    const { recorded, run } = setup({ flocks: [flock], env: { TEMPORAL_ADDRESS: 'env:1', FLOCK_TASK_QUEUE: 'env-queue' } });
    await run(['run', '--flock', 'm']);
    await run(['run', '--flock', 'm', '--server', 'other:7233', '--namespace', 'ns2', '--task-queue', 'q2']);
    expect(recorded.connections).toEqual([
      { address: 'temporal:7233', namespace: 'flock-example' },
      { address: 'other:7233', namespace: 'ns2' },
    ]);
    expect(recorded.starts.map((start) => start.request.taskQueue)).toEqual(['agent-tasks', 'q2']);
  });

  it('falls back to the environment for what the flock leaves open', async () => {
    const { recorded, run } = setup({ flocks: [new Flock({ name: 'docs', agents: [echo] })], env: { TEMPORAL_ADDRESS: 'env:1', FLOCK_TASK_QUEUE: 'env-queue, other' } });
    await run(['run', '--flock', 'm']);
    expect(recorded.connections[0].address).toBe('env:1');
    expect(recorded.starts[0].request.taskQueue).toBe('env-queue');
  });

  it('starts an example with its ready-made input when no module is given', async () => {
    const example: ExampleFlock = { flock: new Flock({ name: 'demo', agents: [echo, shout] }), startAgent: 'shout', input: { text: 'demo' } };
    const { recorded, run } = setup({ examples: [example] });
    await run(['run']);
    expect(recorded.starts).toEqual([{ flock: 'demo', request: { startAgent: 'shout', input: { text: 'demo' } } }]);
  });

  it('asks which flock when the module exports several', async () => {
    const { recorded, run } = setup({ flocks: [new Flock({ name: 'a', agents: [echo] }), new Flock({ name: 'b', agents: [echo] })] });
    expect(await run(['run', '--flock', 'm'])).toBe(2);
    expect(recorded.stderr).toBe('flockctl: m exports several flocks (a, b): pick one with --flock-name\n');
    expect(await run(['run', '--flock', 'm', '--flock-name', 'b'])).toBe(0);
    expect(recorded.starts.map((start) => start.flock)).toEqual(['b']);
  });

  it('names the flocks a module has when --flock-name matches none', async () => {
    const { recorded, run } = setup({ flocks: [new Flock({ name: 'a', agents: [echo] })] });
    expect(await run(['run', '--flock', 'm', '--flock-name', 'zzz'])).toBe(2);
    expect(recorded.stderr).toContain('m has no flock named "zzz" (it has: a)');
  });

  it('waits for and prints the result with --wait', async () => {
    const { recorded, run } = setup({ flocks: [new Flock({ name: 'docs', agents: [echo] })] });
    expect(await run(['run', '--flock', 'm', '--wait'])).toBe(0);
    expect(recorded.stdout).toContain('completed at agent echo');
    expect(recorded.stderr).toContain('Waiting for the result');
  });

  it('prints one JSON document with --wait --json', async () => {
    const { recorded, run } = setup({ flocks: [new Flock({ name: 'docs', agents: [echo] })] });
    await run(['run', '--flock', 'm', '--wait', '--json', '--run-id', 'x']);
    expect(JSON.parse(recorded.stdout)).toMatchObject({ flockName: 'docs', startAgent: 'echo', workflowId: 'docs-x', result: { lastAgent: 'echo' } });
    expect(recorded.stderr).toBe('');
  });

  it('exits 1 with the failure when the awaited run fails', async () => {
    const failed = new FlockRunFailedError('Agent "echo" failed: Error: boom (workflow docs-r1)', {
      code: 'AGENT_FAILED',
      agent: 'echo',
      causeType: 'Error',
      workflowId: 'docs-r1',
      webUiUrl: 'http://ui/docs-r1',
    });
    const { recorded, run } = setup({
      flocks: [new Flock({ name: 'docs', agents: [echo] })],
      client: { result: () => Promise.reject(failed) },
    });
    expect(await run(['run', '--flock', 'm', '--wait', '--json'])).toBe(1);
    expect(JSON.parse(recorded.stdout).error).toEqual({
      name: 'FlockRunFailedError',
      code: 'AGENT_FAILED',
      message: failed.message,
      workflowId: 'docs-r1',
      failureType: 'AgentExecutionError',
      agent: 'echo',
      causeType: 'Error',
      webUiUrl: 'http://ui/docs-r1',
    });
    expect(recorded.closed).toBe(1);
  });
});

describe('flockctl result, status, list, cancel', () => {
  it('prints the result of a workflow', async () => {
    const { recorded, run } = setup();
    expect(await run(['result', 'docs-r1', '--json'])).toBe(0);
    expect(JSON.parse(recorded.stdout)).toMatchObject({ workflowId: 'docs-r1', output: { text: 'hi' } });
  });

  it('connects with the command line over the environment', async () => {
    const { recorded, run } = setup({ env: { TEMPORAL_ADDRESS: 'env:1', TEMPORAL_NAMESPACE: 'env-ns' } });
    await run(['status', 'w']);
    await run(['status', 'w', '--server', 'cli:2', '--namespace', 'cli-ns']);
    expect(recorded.connections).toEqual([
      { address: 'env:1', namespace: 'env-ns' },
      { address: 'cli:2', namespace: 'cli-ns' },
    ]);
  });

  it('passes list filters through', async () => {
    const calls: unknown[] = [];
    const { run } = setup({ client: { list: async (filter) => (calls.push(filter), []) } });
    await run(['list', '--flock-name', 'docs', '--session', 's1', '--limit', '3', '--task-queue', 'q']);
    expect(calls).toEqual([{ limit: 3, flockName: 'docs', sessionId: 's1', taskQueue: 'q' }]);
  });

  it('lists as a JSON array with --json', async () => {
    const { recorded, run } = setup();
    await run(['list', '--json']);
    expect(JSON.parse(recorded.stdout)).toEqual([]);
  });

  it('names the workflow id that does not exist', async () => {
    const notFound = Object.assign(new Error('workflow not found for ID: nope'), { name: 'WorkflowNotFoundError' });
    const { recorded, run } = setup({ client: { status: () => Promise.reject(notFound) } });
    expect(await run(['status', 'nope'])).toBe(1);
    expect(recorded.stderr).toBe('flockctl: no run with workflow id nope (workflow not found for ID: nope)\n');
    expect(recorded.closed).toBe(1);
  });

  it('reports a connection failure without a stack trace', async () => {
    const { recorded, run } = setup({ connectError: new Error('Failed to connect before the deadline') });
    expect(await run(['list'])).toBe(1);
    expect(recorded.stderr).toBe('flockctl: Failed to connect before the deadline\n');
  });

  it('prints help', async () => {
    const { recorded, run } = setup();
    expect(await run(['help', 'list'])).toBe(0);
    expect(recorded.stdout).toContain('Usage: flockctl list');
  });
});

describe('flockctl steps', () => {
  const records = [record(0, 'upper', { text: 'HELLO' }), record(1, 'count', { text: 'HELLO', length: 5, notes: 'n'.repeat(200) })];

  it('prints every step of the run, numbered and aligned, its output as compact JSON cut at 120 characters', async () => {
    const { recorded, run } = setup({ client: { steps: ledger(records).steps } });
    expect(await run(['steps', 'docs-r1'])).toBe(0);
    const lines = recorded.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('  1. upper  2026-01-01T10:00:00.000Z -> 2026-01-01T10:00:00.250Z (250 ms)  {"text":"HELLO"}');
    expect(lines[1].startsWith('  2. count  2026-01-01T10:00:01.000Z -> 2026-01-01T10:00:01.250Z (250 ms)  {"text":"HELLO","length":5,"notes":"nnn')).toBe(true);
    expect(lines[1].split('  ').pop()).toHaveLength(120);
    expect(lines[1].endsWith('…')).toBe(true);
    expect(lines[2]).toBe('2 steps');
    expect(recorded.closed).toBe(1);
  });

  it('reads the ledger to its current end without --follow', async () => {
    const fake = ledger(records);
    const { run } = setup({ client: { steps: fake.steps } });
    await run(['steps', 'docs-r1', '--server', 'cli:2']);
    expect(fake.calls).toEqual([{ workflowId: 'docs-r1', options: { follow: false } }]);
  });

  it('prints the whole records as one JSON array with --json', async () => {
    const { recorded, run } = setup({ client: { steps: ledger(records).steps } });
    expect(await run(['steps', 'docs-r1', '--json'])).toBe(0);
    expect(JSON.parse(recorded.stdout)).toEqual(records);
  });

  it('says when the run has no finished step yet', async () => {
    const { recorded, run } = setup();
    expect(await run(['steps', 'docs-r1'])).toBe(0);
    expect(recorded.stdout).toBe('No finished steps yet.\n');
    const json = setup();
    await json.run(['steps', 'docs-r1', '--json']);
    expect(JSON.parse(json.recorded.stdout)).toEqual([]);
  });

  it('prints each step as it finishes with --follow, until the run closes', async () => {
    const calls: Array<StepLedgerOptions | undefined> = [];
    const printedBeforeSecond: string[] = [];
    const { recorded, run } = setup({
      client: {
        steps: (_workflowId, options) => {
          calls.push(options);
          return (async function* () {
            yield records[0];
            printedBeforeSecond.push(recorded.stdout);
            yield records[1];
          })();
        },
      },
    });
    expect(await run(['steps', 'docs-r1', '--follow'])).toBe(0);
    expect(calls).toEqual([{ follow: true }]);
    expect(printedBeforeSecond).toEqual(['  1. upper  2026-01-01T10:00:00.000Z -> 2026-01-01T10:00:00.250Z (250 ms)  {"text":"HELLO"}\n']);
    const lines = recorded.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^ {2}2\. count {2}2026-01-01T10:00:01\.000Z/);
    expect(lines[2]).toBe('Run docs-r1 closed after 2 steps.');
    expect(parseStarterArgs(['steps', 'docs-r1', '-f'])).toMatchObject({ follow: true });
  });

  it('prints one JSON record per line with --follow --json', async () => {
    const { recorded, run } = setup({ client: { steps: ledger(records).steps } });
    expect(await run(['steps', 'docs-r1', '--follow', '--json'])).toBe(0);
    expect(
      recorded.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(records);
  });

  it('names the workflow id the server does not know', async () => {
    const notFound = Object.assign(new Error('5 NOT_FOUND: workflow not found for ID: nope'), { code: 5, details: 'workflow not found for ID: nope' });
    const steps: RunsApi['steps'] = () =>
      ({
        [Symbol.asyncIterator]() {
          return this;
        },
        next: () => Promise.reject(notFound),
      }) as unknown as AsyncGenerator<StepRecord>;
    const { recorded, run } = setup({ client: { steps } });
    expect(await run(['steps', 'nope'])).toBe(1);
    expect(recorded.stderr).toBe('flockctl: no run with workflow id nope (5 NOT_FOUND: workflow not found for ID: nope)\n');
    expect(recorded.closed).toBe(1);
  });
});

/** Events as a run emits them: `events` yields them in order and remembers how it was asked. */
function eventSource(events: FlockRunEvent[], after?: (index: number) => void | Promise<void>) {
  const calls: Array<{ workflowId: string; options: Parameters<RunsApi['events']>[1] }> = [];
  const source: RunsApi['events'] = (workflowId, options) => {
    calls.push({ workflowId, options });
    return (async function* () {
      for (const [index, event] of events.entries()) {
        yield event;
        await after?.(index);
      }
    })();
  };
  return { source, calls };
}

/** An error as it arrives from the runs client: matched by name, as the CLI does. */
const named = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });

const approvalRun: FlockRunEvent[] = [
  { type: 'step-started', step: 0, agent: 'writer' },
  { type: 'text-delta', step: 0, agent: 'writer', delta: 'Owls hunt' },
  { type: 'text-delta', step: 0, agent: 'writer', delta: ' at night.' },
  { type: 'step-completed', record: { ...record(0, 'writer', { draft: 'Owls hunt at night.' }), nextAgent: null } },
  { type: 'waiting', waitingFor: { kind: 'approval', agent: 'writer', step: 0, prompt: 'Publish?' } },
  { type: 'response', kind: 'approval', step: 0, agent: 'writer', approved: true, by: 'alice' },
  {
    type: 'run-completed',
    result: { runId: 'r1', flockName: 'docs', lastAgent: 'writer', output: { draft: 'Owls hunt at night.' }, variables: {}, stepCount: 1, steps: [] },
  },
];

describe('flockctl follow', () => {
  it('prints each event as it comes, the streamed text inline, and exits 0 when the run completed', async () => {
    const printedAfter: string[] = [];
    const seen: { recorded?: Recorded } = {};
    const events = eventSource(approvalRun, () => void printedAfter.push(seen.recorded?.stdout ?? ''));
    const harness = setup({ client: { events: events.source } });
    seen.recorded = harness.recorded;
    expect(await harness.run(['follow', 'docs-r1'])).toBe(0);
    expect(events.calls).toEqual([{ workflowId: 'docs-r1', options: { follow: true, text: true } }]);
    // the text shows while the step runs, before it completes
    expect(printedAfter[1]).toBe('step 1 writer started\n  | Owls hunt');
    expect(harness.recorded.stdout.split('\n')).toEqual([
      'step 1 writer started',
      '  | Owls hunt at night.',
      'step 1 writer completed in 250 ms: {"draft":"Owls hunt at night."}',
      'waiting for approval of step 1 writer',
      '  prompt:      Publish?',
      '  output:      {"draft":"Owls hunt at night."}',
      '  approve:     flockctl respond docs-r1 --step 1 --approve',
      "  reject:      flockctl respond docs-r1 --step 1 --reject --comment '<why>'",
      'response: step 1 writer approved by alice',
      'completed at agent writer after 1 step; output:',
      '  draft: Owls hunt at night.',
      '',
    ]);
    expect(harness.recorded.closed).toBe(1);
  });

  it('asks for no text with --no-text, and repeats the connection options in the commands it prints', async () => {
    const events = eventSource([approvalRun[4]]);
    const { recorded, run } = setup({ client: { events: events.source }, env: { TEMPORAL_NAMESPACE: 'env-ns' } });
    await run(['follow', 'docs-r1', '--no-text', '--server', 'cli:2']);
    expect(events.calls[0].options).toEqual({ follow: true, text: false });
    expect(recorded.stdout).toContain('flockctl respond docs-r1 --step 1 --approve --server cli:2\n');
  });

  it('prints one JSON event per line with --json', async () => {
    const { recorded, run } = setup({ client: { events: eventSource(approvalRun).source } });
    expect(await run(['follow', 'docs-r1', '--json'])).toBe(0);
    expect(
      recorded.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(approvalRun);
  });

  it('exits 1 with the failure and the Web UI link when the run failed', async () => {
    const failed: FlockRunEvent = { type: 'run-failed', code: 'AGENT_FAILED', agent: 'writer', message: 'Agent "writer" failed: boom' };
    const saved = process.env['TEMPORAL_UI_URL'];
    process.env['TEMPORAL_UI_URL'] = 'http://127.0.0.1:40123';
    try {
      const { recorded, run } = setup({ client: { events: eventSource([approvalRun[0], failed]).source } });
      expect(await run(['follow', 'docs-r1'])).toBe(1);
      expect(recorded.stdout).toContain('failed: AGENT_FAILED at agent writer: Agent "writer" failed: boom\n  Web UI: http://127.0.0.1:40123/namespaces/default/workflows/docs-r1');
    } finally {
      if (saved === undefined) delete process.env['TEMPORAL_UI_URL'];
      else process.env['TEMPORAL_UI_URL'] = saved;
    }
  });

  it('prints no Web UI link for a failed run when no UI address is known (none is guessed from localhost:7233)', async () => {
    const failed: FlockRunEvent = { type: 'run-failed', code: 'AGENT_FAILED', agent: 'writer', message: 'Agent "writer" failed: boom' };
    const saved = process.env['TEMPORAL_UI_URL'];
    delete process.env['TEMPORAL_UI_URL'];
    try {
      const { recorded, run } = setup({ client: { events: eventSource([approvalRun[0], failed]).source } });
      expect(await run(['follow', 'docs-r1'])).toBe(1);
      expect(recorded.stdout).toContain('failed: AGENT_FAILED at agent writer: Agent "writer" failed: boom');
      expect(recorded.stdout).not.toContain('Web UI');
    } finally {
      if (saved !== undefined) process.env['TEMPORAL_UI_URL'] = saved;
    }
  });

  it('exits 3 when the run was cancelled', async () => {
    const cancelled: FlockRunEvent = { type: 'run-failed', code: 'CANCELLED', message: 'Run "docs-r1" was cancelled' };
    const { recorded, run } = setup({ client: { events: eventSource([approvalRun[0], cancelled]).source } });
    expect(await run(['follow', 'docs-r1', '--json'])).toBe(3);
    expect(
      recorded.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line).type),
    ).toEqual(['step-started', 'run-failed']);
  });

  it('exits 1 when the events end before the run did', async () => {
    const { recorded, run } = setup({ client: { events: eventSource([approvalRun[0]]).source } });
    expect(await run(['follow', 'docs-r1'])).toBe(1);
    expect(recorded.stderr).toBe('flockctl: the events of docs-r1 ended before the run did\n');
  });

  it('stops following on Ctrl-C, even while the source waits, says the run goes on and exits 130', async () => {
    const interrupt = new AbortController();
    let returned = false;
    const events: RunsApi['events'] = () => ({
      [Symbol.asyncIterator]: () => {
        let sent = false;
        return {
          next: () => {
            if (!sent) {
              sent = true;
              setTimeout(() => interrupt.abort(), 10);
              return Promise.resolve({ done: false, value: approvalRun[0] });
            }
            return new Promise<IteratorResult<FlockRunEvent>>(() => undefined); // the run never ends
          },
          return: async () => ((returned = true), { done: true, value: undefined }),
        };
      },
    });
    const { recorded, run } = setup({ client: { events }, interrupt: interrupt.signal });
    expect(await run(['follow', 'docs-r1'])).toBe(130);
    expect(recorded.stdout).toBe('step 1 writer started\n');
    expect(recorded.stderr).toBe('Stopped following docs-r1; the run goes on (flockctl follow docs-r1 picks it up again).\n');
    expect(returned).toBe(true);
    expect(recorded.closed).toBe(1);
  });

  it('names a workflow id the server does not know', async () => {
    const events: RunsApi['events'] = () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(named('WorkflowNotFoundError', 'workflow not found for ID: nope')) }),
    });
    const { recorded, run } = setup({ client: { events } });
    expect(await run(['follow', 'nope'])).toBe(1);
    expect(recorded.stderr).toBe('flockctl: no run with workflow id nope (workflow not found for ID: nope)\n');
  });
});

describe('flockctl run --follow', () => {
  it('starts the run, prints where it runs, then follows it with the outcome as exit status', async () => {
    const events = eventSource([approvalRun[0], { type: 'run-failed', code: 'REJECTED', agent: 'writer', message: 'rejected' }]);
    const { recorded, run } = setup({ flocks: [new Flock({ name: 'docs', agents: [echo] })], client: { events: events.source } });
    expect(await run(['run', '--flock', 'm', '--follow', '--no-text', '--run-id', 'x'])).toBe(1);
    expect(recorded.starts).toHaveLength(1);
    expect(events.calls).toEqual([{ workflowId: 'docs-x', options: { follow: true, text: false } }]);
    expect(recorded.stdout).toMatch(
      /^Started flock docs at agent echo\n[\s\S]*workflow id:\s+docs-x\n[\s\S]*\nstep 1 writer started\nfailed: REJECTED at agent writer: rejected\n$/,
    );
    expect(recorded.stderr).not.toContain('Waiting for the result');
  });

  it('prints the start summary, then one event per line with --json', async () => {
    const { recorded, run } = setup({ flocks: [new Flock({ name: 'docs', agents: [echo] })], client: { events: eventSource(approvalRun).source } });
    expect(await run(['run', '--flock', 'm', '--follow', '--json', '--run-id', 'x'])).toBe(0);
    const [first, ...rest] = recorded.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(first).toMatchObject({ flockName: 'docs', startAgent: 'echo', workflowId: 'docs-x' });
    expect(rest).toEqual(approvalRun);
  });

  it('puts the server and namespace the flock connects to into the commands it prints', async () => {
    const flock = new Flock({ name: 'docs', agents: [echo], temporalConfig: { serverUrl: 'temporal:7233', namespace: 'flock-example' } });
    const { recorded, run } = setup({ flocks: [flock], client: { events: eventSource([approvalRun[4]]).source } });
    await run(['run', '--flock', 'm', '--follow']);
    expect(recorded.stdout).toContain('flockctl respond docs-r1 --step 1 --approve --server temporal:7233 --namespace flock-example\n');
  });
});

describe('flockctl respond', () => {
  const responder = () => {
    const sent: Array<{ workflowId: string; response: FlockResponse }> = [];
    const respond: RunsApi['respond'] = async (workflowId, response) => {
      sent.push({ workflowId, response });
      return 'output' in response ? { agent: 'editor', step: 2, kind: 'input' } : { agent: 'writer', step: 1, kind: 'approval' };
    };
    return { sent, respond };
  };

  it('sends a human agent output and says what the run accepted', async () => {
    const fake = responder();
    const { recorded, run } = setup({ client: { respond: fake.respond } });
    expect(await run(['respond', 'docs-r1', '--input', '{"summary":"ok"}', '--step', '3', '--by', 'bob'])).toBe(0);
    expect(fake.sent).toEqual([{ workflowId: 'docs-r1', response: { output: { summary: 'ok' }, step: 2, by: 'bob' } }]);
    expect(recorded.stdout).toBe('Input accepted for step 3 editor (run docs-r1); the run goes on.\n');
  });

  it('sends an approval or a rejection with its comment', async () => {
    const fake = responder();
    const { recorded, run } = setup({ client: { respond: fake.respond } });
    expect(await run(['respond', 'docs-r1', '--reject', '--comment', 'too long'])).toBe(0);
    expect(fake.sent[0].response).toEqual({ approved: false, comment: 'too long' });
    expect(recorded.stdout).toBe('Rejected the output of step 2 writer (run docs-r1); the run goes on.\n');
    const json = setup({ client: { respond: fake.respond } });
    expect(await json.run(['respond', 'docs-r1', '--approve', '--json'])).toBe(0);
    expect(JSON.parse(json.recorded.stdout)).toEqual({ workflowId: 'docs-r1', agent: 'writer', step: 1, kind: 'approval', approved: true });
  });

  it('prints the refusal with each issue, says the run keeps waiting, and exits 4', async () => {
    const refused = new InvalidResponseError('The answer does not match the output signature of editor', ['output.summary: expected string, received number']);
    const { recorded, run } = setup({ client: { respond: () => Promise.reject(refused) } });
    expect(await run(['respond', 'docs-r1', '--input', '{"summary":1}'])).toBe(4);
    expect(recorded.stderr).toBe(
      [
        'flockctl: response refused: The answer does not match the output signature of editor',
        '  - output.summary: expected string, received number',
        'The run keeps waiting; nothing changed.',
        '',
      ].join('\n'),
    );
    const json = setup({ client: { respond: () => Promise.reject(refused) } });
    expect(await json.run(['respond', 'docs-r1', '--approve', '--json'])).toBe(4);
    expect(JSON.parse(json.recorded.stdout).error).toMatchObject({ name: 'InvalidResponseError', issues: ['output.summary: expected string, received number'] });
  });

  it('refuses JSON that does not parse before connecting, naming the flag', () => {
    const { recorded, run } = setup();
    expect(() => run(['respond', 'docs-r1', '--input', '{summary}'])).toThrow(/^--input is not valid JSON/);
    expect(recorded.connections).toEqual([]);
  });
});

describe('flockctl pause and resume', () => {
  const status = (over: Partial<FlockRunStatus>): FlockRunStatus => ({
    runId: 'r1',
    flockName: 'docs',
    phase: 'running',
    currentAgent: 'writer',
    stepsDone: 1,
    steps: [],
    workflowVersion: 2,
    ...over,
  });

  it('says the pause takes effect at the next step boundary', async () => {
    const calls: unknown[] = [];
    const { recorded, run } = setup({ client: { pause: async (...args) => (calls.push(args), status({ pauseRequested: true })) } });
    expect(await run(['pause', 'docs-r1', '--reason', 'budget'])).toBe(0);
    expect(calls).toEqual([['docs-r1', 'budget']]);
    expect(recorded.stdout).toBe(
      'Pause requested for docs-r1: the running step finishes, then it pauses at the next step boundary (phase now: running). Resume with: flockctl resume docs-r1\n',
    );
  });

  it('says when the run is paused at once, or waits for a person first', async () => {
    const paused = setup({ client: { pause: async () => status({ phase: 'paused', pauseRequested: true }) } });
    await paused.run(['pause', 'docs-r1']);
    expect(paused.recorded.stdout).toContain('Pause requested for docs-r1: it is paused now.');
    const waiting = setup({
      client: { pause: async () => status({ phase: 'waiting', pauseRequested: true, waitingFor: { kind: 'input', agent: 'editor', step: 2 } }) },
    });
    await waiting.run(['pause', 'docs-r1']);
    expect(waiting.recorded.stdout).toContain('it waits for input at step 3 editor; once answered, it pauses before its next step');
  });

  it('resumes and prints the phase; --json prints the status', async () => {
    const { recorded, run } = setup({ client: { resume: async () => status({ phase: 'running' }) } });
    expect(await run(['resume', 'docs-r1'])).toBe(0);
    expect(recorded.stdout).toBe('Resumed docs-r1; phase now: running.\n');
    const json = setup({ client: { resume: async () => status({ phase: 'running' }) } });
    await json.run(['resume', 'docs-r1', '--json']);
    expect(JSON.parse(json.recorded.stdout)).toMatchObject({ workflowId: 'docs-r1', phase: 'running', stepsDone: 1 });
  });

  it('resumes a budget pause with --max-tokens: sends the new limit and says so', async () => {
    const calls: unknown[] = [];
    const { recorded, run } = setup({ client: { resume: async (...args) => (calls.push(args), status({ phase: 'running', budget: { maxTokens: 20000 } })) } });
    expect(await run(['resume', 'docs-r1', '--max-tokens', '20000'])).toBe(0);
    expect(calls).toEqual([['docs-r1', { budget: { maxTokens: 20000 } }]]);
    expect(recorded.stdout).toBe('Resumed docs-r1 with maxTokens 20,000; phase now: running.\n');
    const plain = setup({ client: { resume: async (...args) => (calls.push(args), status({ phase: 'paused' })) } });
    await plain.run(['resume', 'docs-r1']);
    expect(calls[1]).toEqual(['docs-r1', undefined]);
    expect(plain.recorded.stdout).toBe('Resumed docs-r1; its next step starts now.\n');
  });

  it('prints the refusal of a budget pause resumed without a higher limit (exit 4): the flag to pass', async () => {
    const message =
      'The run is paused for its budget (agent "writer" crossed the run\'s token budget: 140 tokens used, maxTokens is 100): resuming needs a maxTokens above 140 (none was given); pass --max-tokens <n> to flockctl resume, or resume({ budget: { maxTokens: n } })';
    const { recorded, run } = setup({ client: { resume: () => Promise.reject(new InvalidRunCommandError(message)) } });
    expect(await run(['resume', 'docs-r1', '--max-model-calls', '5'])).toBe(4);
    expect(recorded.stderr).toBe(`flockctl: refused: ${message}; nothing changed.\n`);
  });

  it('prints a refusal as such and exits 4', async () => {
    const { recorded, run } = setup({ client: { resume: () => Promise.reject(new InvalidRunCommandError('The run is not paused')) } });
    expect(await run(['resume', 'docs-r1'])).toBe(4);
    expect(recorded.stderr).toBe('flockctl: refused: The run is not paused; nothing changed.\n');
    const again = setup({ client: { pause: () => Promise.reject(new InvalidRunCommandError('The run is already paused')) } });
    expect(await again.run(['pause', 'docs-r1'])).toBe(4);
  });
});

describe('flockctl cancel', () => {
  it('waits 30 s by default and says the run ended cancelled', async () => {
    const calls: unknown[] = [];
    const { recorded, run } = setup({ client: { cancel: async (...args) => (calls.push(args), 'cancelled') } });
    expect(await run(['cancel', 'docs-r1'])).toBe(0);
    expect(calls).toEqual([['docs-r1', { waitMs: 30_000 }]]);
    expect(recorded.stdout).toBe('Cancelled docs-r1: the running step stopped and the run ended cancelled.\n');
  });

  it('says when the run had ended before the cancellation arrived', async () => {
    const { recorded, run } = setup({ client: { cancel: async () => 'completed' } });
    expect(await run(['cancel', 'docs-r1', '--json'])).toBe(0);
    expect(JSON.parse(recorded.stdout)).toEqual({ workflowId: 'docs-r1', cancelRequested: true, outcome: 'completed', ended: true });
  });

  it('names the task queue and exits 5 when the run has not ended within --wait', async () => {
    const calls: unknown[] = [];
    const { recorded, run } = setup({
      client: {
        cancel: async (...args) => (calls.push(args), 'running'),
        status: async () => ({ taskQueue: 'gpu-queue' }) as FlockRunView,
      },
    });
    expect(await run(['cancel', 'docs-r1', '--wait', '1.5'])).toBe(5);
    expect(calls).toEqual([['docs-r1', { waitMs: 1500 }]]);
    expect(recorded.stdout).toBe(
      'Cancellation requested for docs-r1; the run has not ended yet (is a worker running for task queue gpu-queue? It ends once a worker takes the cancellation).\n',
    );
  });
});

describe('flockctl status of a waiting run', () => {
  it('shows what the run waits for and the respond command with the connection options', async () => {
    const waiting = {
      workflowId: 'docs-r1',
      runId: 'x',
      phase: 'waiting',
      executionStatus: 'RUNNING',
      currentAgent: 'editor',
      steps: [],
      stepsDone: 2,
      source: 'query',
      taskQueue: 'q',
      startTime: '2026-01-01T10:00:00.000Z',
      waitingFor: { kind: 'input', agent: 'editor', step: 2, signature: 'summary: string' },
    } as unknown as FlockRunView;
    const { recorded, run } = setup({ client: { status: async () => waiting } });
    expect(await run(['status', 'docs-r1', '--namespace', 'ns2'])).toBe(0);
    expect(recorded.stdout).toContain(`respond:       flockctl respond docs-r1 --step 3 --input '{"summary":"..."}' --namespace ns2\n`);
  });
});
