/**
 * flockctl and flock-worker as real processes against the Temporal dev
 * server: runs started by flockctl are executed by a separate flock-worker.
 */
import { randomUUID } from 'node:crypto';
import { eventually, runSource, spawnSource, stopChild, testServer, type ChildHandle } from '@flock-ts/tools';

const FLOCKCTL = 'apps/starter/src/main.ts';
const WORKER = 'apps/worker/src/main.ts';
const FIXTURE = 'apps/starter/integration/fixtures/test-flock.ts';

jest.setTimeout(120_000);

const suffix = randomUUID().slice(0, 8);
const flockName = `flockctl-it-${suffix}`;
const taskQueue = `flockctl-it-${suffix}`;
const server = testServer();
const env = { FLOCK_IT_FLOCK_NAME: flockName, TEMPORAL_UI_URL: server.uiUrl ?? 'http://ui.test' };
const connection = ['--server', server.address, '--namespace', server.namespace];

let worker: ChildHandle;

const flockctl = (...args: string[]) => runSource(FLOCKCTL, [...args, ...connection], env);

async function flockctlJson<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const result = await flockctl(...args, '--json');
  if (result.code !== 0) throw new Error(`flockctl ${args.join(' ')} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  worker = spawnSource(WORKER, [...connection, '--task-queue', taskQueue, '--flock', FIXTURE, '--concurrency', '4'], env);
  await worker.waitForOutput(/polling task queue\(s\) /);
});

afterAll(async () => {
  if (worker) await stopChild(worker);
});

describe('flockctl run', () => {
  it('starts a run that a separate flock-worker completes, and prints the result with --wait', async () => {
    const out = await flockctlJson<{
      workflowId: string;
      webUiUrl: string;
      taskQueue: string;
      result: { output: unknown; stepCount: number; steps: Array<{ step: number; agent: string }>; lastAgent: string };
    }>('run', '--flock', FIXTURE, '--agent', 'upper', '--input', '{"text":"hello"}', '--task-queue', taskQueue, '--wait');
    expect(out.workflowId.startsWith(`${flockName}-`)).toBe(true);
    expect(out.taskQueue).toBe(taskQueue);
    expect(out.webUiUrl).toContain(`/workflows/${encodeURIComponent(out.workflowId)}/`);
    expect(out.result.output).toEqual({ text: 'HELLO', length: 5 });
    expect(out.result.stepCount).toBe(2);
    expect(out.result.steps.map((step) => [step.step, step.agent])).toEqual([
      [0, 'upper'],
      [1, 'count'],
    ]);
    expect(worker.child.pid).not.toBe(undefined);
  });

  it('prints the workflow id and Web UI link without waiting; result reads the output back', async () => {
    const started = await flockctl('run', '--flock', FIXTURE, '--agent', 'upper', '--input', '{"text":"abc"}', '--task-queue', taskQueue);
    expect(started.code).toBe(0);
    const workflowId = /workflow id:\s+(\S+)/.exec(started.stdout)?.[1];
    expect(workflowId).toMatch(new RegExp(`^${flockName}-`));
    expect(started.stdout).toMatch(/Web UI:\s+http/);

    const result = await flockctl('result', workflowId as string);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('completed at agent count after 2 steps');
    expect(result.stdout).toContain('text: ABC');

    const status = await flockctlJson<{ phase: string; steps: unknown[]; flockName: string; startAgent: string }>('status', workflowId as string);
    expect(status).toMatchObject({ phase: 'completed', flockName, startAgent: 'upper' });
    expect(status.steps).toHaveLength(2);
  });

  it('exits 1 with the failed agent when an awaited run fails', async () => {
    const failed = await flockctl('run', '--flock', FIXTURE, '--agent', 'fail', '--input', '{"text":"x"}', '--task-queue', taskQueue, '--wait', '--json');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout).error).toMatchObject({
      name: 'FlockRunFailedError',
      code: 'AGENT_FAILED',
      agent: 'fail',
      failureType: 'AgentExecutionError',
      workflowId: expect.stringMatching(new RegExp(`^${flockName}-`)),
    });
  });

  it('exits 2 and names a --flock module that does not exist', async () => {
    const missing = await flockctl('run', '--flock', './nowhere/flock.ts');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Flock module ./nowhere/flock.ts not found');
  });
});

describe('flockctl steps', () => {
  it('prints every step of a closed run with its output, and the whole records with --json', async () => {
    const started = await flockctlJson<{ workflowId: string }>('run', '--flock', FIXTURE, '--agent', 'upper', '--input', '{"text":"ledger"}', '--task-queue', taskQueue, '--wait');
    const text = await flockctl('steps', started.workflowId);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ {2}1\. upper {2}\S+ -> \S+ \(\d+ ms\) {2}\{"text":"LEDGER"\}$/);
    expect(lines[1]).toMatch(/^ {2}2\. count {2}\S+ -> \S+ \(\d+ ms\) {2}\{"text":"LEDGER","length":6\}$/);
    expect(lines[2]).toBe('2 steps');

    const records = await flockctlJson<Array<Record<string, unknown>>>('steps', started.workflowId);
    expect(records).toEqual([
      expect.objectContaining({ step: 0, agent: 'upper', inputs: { text: 'ledger' }, output: { text: 'LEDGER' }, attempt: 1, nextAgent: 'count' }),
      expect.objectContaining({ step: 1, agent: 'count', inputs: { text: 'LEDGER' }, output: { text: 'LEDGER', length: 6 }, nextAgent: null }),
    ]);
  });

  it('follows a running run until it closes', async () => {
    const started = await flockctlJson<{ workflowId: string }>('run', '--flock', FIXTURE, '--agent', 'slow', '--input', '{"seconds":1}', '--task-queue', taskQueue);
    const followed = await flockctl('steps', started.workflowId, '--follow');
    expect(followed.code).toBe(0);
    const lines = followed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ {2}1\. slow {2}.* \{"done":true\}$/);
    expect(lines[1]).toBe(`Run ${started.workflowId} closed after 1 step.`);
  });

  it('exits 1 for a workflow id that does not exist', async () => {
    const steps = await flockctl('steps', `no-such-run-${suffix}`);
    expect(steps.code).toBe(1);
    expect(steps.stderr).toContain(`no run with workflow id no-such-run-${suffix}`);
  });
});

describe('flockctl list', () => {
  it('finds runs by FlockName and by session, quotes and backslashes included', async () => {
    const session = `it's "quoted" \\ ${suffix}`;
    const inSession = await flockctlJson<{ workflowId: string }>(
      'run',
      '--flock',
      FIXTURE,
      '--agent',
      'upper',
      '--input',
      '{"text":"s"}',
      '--task-queue',
      taskQueue,
      '--session',
      session,
      '--wait',
    );
    const outside = await flockctlJson<{ workflowId: string }>(
      'run',
      '--flock',
      FIXTURE,
      '--agent',
      'upper',
      '--input',
      '{"text":"t"}',
      '--task-queue',
      taskQueue,
      '--session',
      `it's ${suffix}`,
      '--wait',
    );

    const byFlock = await eventually(
      async () => {
        const runs = await flockctlJson<Array<{ workflowId: string; flockName: string }>>('list', '--flock-name', flockName, '--limit', '100');
        const ids = runs.map((run) => run.workflowId);
        return ids.includes(inSession.workflowId) && ids.includes(outside.workflowId) ? runs : undefined;
      },
      30_000,
      'both runs listed by flock name',
    );
    expect(byFlock.every((run) => run.flockName === flockName)).toBe(true);

    const bySession = await flockctlJson<Array<{ workflowId: string; sessionId: string }>>('list', '--session', session);
    expect(bySession.map((run) => run.workflowId)).toEqual([inSession.workflowId]);

    const table = await flockctl('list', '--flock-name', flockName, '--limit', '1');
    expect(table.code).toBe(0);
    expect(table.stdout.trimEnd().split('\n')).toHaveLength(2);
  });

  it('lists nothing for a flock that never ran', async () => {
    expect(await flockctlJson<unknown[]>('list', '--flock-name', `never-${suffix}`)).toEqual([]);
  });
});

describe('flockctl status and cancel', () => {
  it('shows the running agent, cancels a long run, and reports it cancelled', async () => {
    const started = await flockctlJson<{ workflowId: string }>('run', '--flock', FIXTURE, '--agent', 'slow', '--input', '{"seconds":60}', '--task-queue', taskQueue);
    const running = await eventually(
      async () => {
        const status = await flockctlJson<{ phase: string; currentAgent: string | null; source: string }>('status', started.workflowId);
        return status.currentAgent === 'slow' ? status : undefined;
      },
      30_000,
      'slow step running',
    );
    expect(running).toMatchObject({ phase: 'running', source: 'query' });

    const cancel = await flockctl('cancel', started.workflowId);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe(`Cancelled ${started.workflowId}: the running step stopped and the run ended cancelled.\n`);

    const result = await flockctl('result', started.workflowId, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatchObject({ name: 'FlockRunFailedError', code: 'CANCELLED', workflowId: started.workflowId });

    const status = await flockctlJson<{ phase: string; executionStatus: string; currentAgent: string | null }>('status', started.workflowId);
    expect(status).toMatchObject({ phase: 'cancelled', executionStatus: 'CANCELLED', currentAgent: null });
  });

  it('exits 1 for a workflow id that does not exist', async () => {
    const status = await flockctl('status', `no-such-run-${suffix}`);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`no run with workflow id no-such-run-${suffix}`);
  });
});
