import type { FlockRunResult } from '@flock-ts/contracts';
import { Flock, defineAgent, type StepRecord } from '@flock-ts/core';
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
    cancel: async () => undefined,
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

  it('requests cancellation', async () => {
    const cancelled: string[] = [];
    const { recorded, run } = setup({ client: { cancel: async (id) => void cancelled.push(id) } });
    expect(await run(['cancel', 'docs-r1', '--json'])).toBe(0);
    expect(cancelled).toEqual(['docs-r1']);
    expect(JSON.parse(recorded.stdout)).toEqual({ workflowId: 'docs-r1', cancelRequested: true });
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
    expect(recorded.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual(records);
  });

  it('names the workflow id the server does not know', async () => {
    const notFound = Object.assign(new Error('5 NOT_FOUND: workflow not found for ID: nope'), { code: 5, details: 'workflow not found for ID: nope' });
    const steps: RunsApi['steps'] = () => ({
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
