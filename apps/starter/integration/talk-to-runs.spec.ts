/**
 * Talking to running runs across processes: `flockctl follow` prints a
 * run's events live in one process while `flockctl respond`, `pause`,
 * `resume` and `cancel` act on it from others; a separate flock-worker
 * executes the run (the fixture's `ask` human agent and `draft`, which
 * streams its text and waits for approval).
 */
import { randomUUID } from 'node:crypto';
import { eventually, runSource, spawnSource, stopChild, testServer, type ChildHandle } from '@flock-ts/tools';

const FLOCKCTL = 'apps/starter/src/main.ts';
const WORKER = 'apps/worker/src/main.ts';
const FIXTURE = 'apps/starter/integration/fixtures/test-flock.ts';

jest.setTimeout(180_000);

const suffix = randomUUID().slice(0, 8);
const flockName = `flockctl-talk-${suffix}`;
const taskQueue = `flockctl-talk-${suffix}`;
const server = testServer();
const env = { FLOCK_IT_FLOCK_NAME: flockName, TEMPORAL_UI_URL: server.uiUrl ?? 'http://ui.test' };
const connection = ['--server', server.address, '--namespace', server.namespace];

let worker: ChildHandle;
const followers: ChildHandle[] = [];

const flockctl = (...args: string[]) => runSource(FLOCKCTL, [...args, ...connection], env);

async function flockctlJson<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const result = await flockctl(...args, '--json');
  if (result.code !== 0) throw new Error(`flockctl ${args.join(' ')} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** `flockctl follow` as a process of its own (its stdout and stderr in `output()`). */
function follow(workflowId: string, ...args: string[]): ChildHandle {
  const child = spawnSource(FLOCKCTL, ['follow', workflowId, ...args, ...connection], env);
  followers.push(child);
  return child;
}

async function start(agent: string, input: Record<string, unknown>, queue = taskQueue): Promise<string> {
  const started = await flockctlJson<{ workflowId: string }>('run', '--flock', FIXTURE, '--agent', agent, '--input', JSON.stringify(input), '--task-queue', queue);
  return started.workflowId;
}

/** Quoted as the commands flockctl prints quote it (the dev server's address and namespace need none). */
const printedFlags = `--server ${server.address} --namespace ${server.namespace}`;

beforeAll(async () => {
  worker = spawnSource(WORKER, [...connection, '--task-queue', taskQueue, '--flock', FIXTURE, '--concurrency', '4'], env);
  await worker.waitForOutput(/polling task queue\(s\) /);
});

afterAll(async () => {
  for (const child of followers) await stopChild(child, 2_000);
  if (worker) await stopChild(worker);
});

describe('flockctl follow and respond', () => {
  it('follows a run through its input and approval waits while other processes answer them, and exits 0 with the result', async () => {
    const workflowId = await start('ask', { topic: 'owls' });
    const follower = follow(workflowId);

    await follower.waitForOutput(/waiting for input for step 1 ask\n[\s\S]*respond: .*\n/, 60_000);
    expect(follower.output()).toContain('  prompt:      What do you know about the topic? Score it from 1 to 5\n');
    expect(follower.output()).toContain('  answer with: answer: string, score: integer\n');
    expect(follower.output()).toContain(`  respond:     flockctl respond ${workflowId} --step 1 --input '{"answer":"...","score":0}' ${printedFlags}\n`);

    // status from a third process shows the same wait and command
    const status = await flockctl('status', workflowId);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/phase:\s+waiting \(Temporal: RUNNING\)/);
    expect(status.stdout).toMatch(/waiting for:\s+input for step 1 ask \(since \S+\)\n/);
    expect(status.stdout).toContain(`respond:       flockctl respond ${workflowId} --step 1 --input '{"answer":"...","score":0}' ${printedFlags}\n`);

    // answers that do not match, or name another step, are refused; the run keeps waiting
    const refused = await flockctl('respond', workflowId, '--input', '{"answer":1}');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^flockctl: response refused: /);
    expect(refused.stderr).toContain('The run keeps waiting; nothing changed.');
    const wrongStep = await flockctl('respond', workflowId, '--input', '{"answer":"hoot","score":3}', '--step', '2');
    expect(wrongStep.code).toBe(4);
    const approvalInstead = await flockctl('respond', workflowId, '--approve');
    expect(approvalInstead.code).toBe(4);
    expect((await flockctlJson<{ phase: string }>('status', workflowId)).phase).toBe('waiting');

    const answered = await flockctl('respond', workflowId, '--input', '{"answer":"they hoot","score":4}', '--step', '1', '--by', 'it-test');
    expect(answered.stderr).toBe('');
    expect(answered.code).toBe(0);
    expect(answered.stdout).toBe(`Input accepted for step 1 ask (run ${workflowId}); the run goes on.\n`);

    await follower.waitForOutput(/waiting for approval of step 2 draft\n[\s\S]*reject: .*\n/, 60_000);
    expect(follower.output()).toMatch(/\n {2}output: {6}\{"draft":"Draft on owls: they hoot\. It says/);
    expect(follower.output()).toContain(`  approve:     flockctl respond ${workflowId} --step 2 --approve ${printedFlags}\n`);
    const approve = await flockctl('respond', workflowId, '--approve', '--comment', 'ship it', '--by', 'it-test', '--step', '2');
    expect(approve.code).toBe(0);
    expect(approve.stdout).toBe(`Approved the output of step 2 draft (run ${workflowId}); the run goes on.\n`);

    const { code } = await follower.exited;
    const out = follower.output();
    expect({ code, out }).toMatchObject({ code: 0 });
    // nothing but the events: no warnings (an abort listener per poll once leaked here) between the lines
    expect(out).not.toMatch(/Warning|\(node:\d+\)/);
    const lines = out.split('\n');
    const draftText = 'Draft on owls: they hoot. It says what is known and where to read on.';
    // the events in the order they happened, each once
    const expected = [
      'waiting for input for step 1 ask',
      'response: input for step 1 ask accepted by it-test',
      'step 1 ask started',
      /^step 1 ask completed in \d+ ms: \{"answer":"they hoot","score":4\}$/,
      'step 2 draft started',
      /^step 2 draft completed in \d+ ms: \{"draft":"Draft on owls: they hoot\. It says/,
      'waiting for approval of step 2 draft',
      'response: step 2 draft approved by it-test: "ship it"',
      'completed at agent draft after 2 steps; output:',
      `  draft: ${draftText}`,
    ];
    const found = expected.map((line) => lines.filter((candidate) => (typeof line === 'string' ? candidate === line : line.test(candidate))).length);
    expect(found).toEqual(expected.map(() => 1));
    const positions = expected.map((line) => lines.findIndex((candidate) => (typeof line === 'string' ? candidate === line : line.test(candidate))));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    // the draft's text streamed inline while its step ran: a beginning of it, between its start and completion
    const streamed = lines.slice(positions[4] + 1, positions[5]);
    expect(streamed.length).toBeGreaterThan(0);
    expect(streamed.filter((line) => !line.startsWith('  |'))).toEqual([]);
    const text = streamed.map((line) => line.replace(/^ {2}\| ?/, '')).join('');
    expect(text.length).toBeGreaterThan(0);
    expect(draftText.startsWith(text)).toBe(true);
  });

  it('prints one JSON event per line with --json --no-text, from the first step of a run that already completed', async () => {
    const completed = await flockctlJson<{ workflowId: string }>('run', '--flock', FIXTURE, '--agent', 'upper', '--input', '{"text":"json"}', '--task-queue', taskQueue, '--wait');
    const followed = await flockctl('follow', completed.workflowId, '--json', '--no-text');
    expect(followed.code).toBe(0);
    const events = followed.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; record?: { agent: string; output: unknown } });
    expect(events.map((event) => event.type)).toEqual(['step-started', 'step-completed', 'step-started', 'step-completed', 'run-completed']);
    expect(events[3].record).toMatchObject({ agent: 'count', output: { text: 'JSON', length: 4 } });
    expect(events[4]).toMatchObject({ result: { lastAgent: 'count', output: { text: 'JSON', length: 4 }, stepCount: 2 } });
  });

  it('exits 1 with the failure and the Web UI link for a failed run', async () => {
    const workflowId = await start('fail', { text: 'x' });
    const followed = await flockctl('follow', workflowId);
    expect(followed.code).toBe(1);
    expect(followed.stdout).toMatch(/\nfailed: AGENT_FAILED at agent fail: .*this agent always fails/);
    expect(followed.stdout).toContain(`  Web UI: ${env.TEMPORAL_UI_URL}/namespaces/${server.namespace}/workflows/${workflowId}`);
  });

  it('runs and follows in one command with run --follow, and a rejection makes the agent redo its draft', async () => {
    const runner = spawnSource(
      FLOCKCTL,
      ['run', '--flock', FIXTURE, '--agent', 'draft', '--input', '{"topic":"tides","answer":"moon"}', '--task-queue', taskQueue, '--follow', '--no-text', ...connection],
      env,
    );
    followers.push(runner);
    await runner.waitForOutput(/waiting for approval of step 1 draft\n[\s\S]*reject: .*\n/, 60_000);
    const workflowId = /workflow id:\s+(\S+)/.exec(runner.output())?.[1] as string;
    expect(workflowId).toMatch(new RegExp(`^${flockName}-`));
    expect(runner.output()).not.toContain('Waiting for the result');
    expect(runner.output()).not.toContain('  |');

    const reject = await flockctl('respond', workflowId, '--reject', '--comment', 'shorter');
    expect(reject.code).toBe(0);
    expect(reject.stdout).toBe(`Rejected the output of step 1 draft (run ${workflowId}); the run goes on.\n`);
    await runner.waitForOutput(/waiting for approval of step 2 draft\n[\s\S]*reject: .*\n/, 60_000);
    expect(runner.output()).toContain('(revised: shorter)');
    expect((await flockctl('respond', workflowId, '--approve')).code).toBe(0);

    const { code } = await runner.exited;
    expect(code).toBe(0);
    expect(runner.output()).toContain('response: step 1 draft rejected: "shorter"\n');
    expect(runner.output()).toContain('completed at agent draft after 2 steps; output:\n');
  });
});

describe('flockctl pause and resume', () => {
  it('pauses a waiting run from another process, holds it at the next step boundary, and resumes it', async () => {
    const workflowId = await start('ask', { topic: 'bats' });
    await eventually(async () => ((await flockctlJson<{ phase: string }>('status', workflowId)).phase === 'waiting' ? true : undefined), 60_000, 'run waiting');

    const paused = await flockctl('pause', workflowId, '--reason', 'budget review');
    expect(paused.code).toBe(0);
    expect(paused.stdout).toBe(
      `Pause requested for ${workflowId}: it waits for input at step 1 ask; once answered, it pauses before its next step. Resume with: flockctl resume ${workflowId} ${printedFlags}\n`,
    );
    const again = await flockctl('pause', workflowId);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/^flockctl: refused: .*; nothing changed\.\n$/);

    expect((await flockctl('respond', workflowId, '--input', '{"answer":"they click","score":2}')).code).toBe(0);
    const held = await eventually(
      async () => {
        const status = await flockctl('status', workflowId);
        return /phase:\s+paused/.test(status.stdout) ? status.stdout : undefined;
      },
      60_000,
      'run paused',
    );
    expect(held).toContain(`paused:        until resumed: flockctl resume ${workflowId} ${printedFlags}\n`);
    expect(held).toMatch(/steps: 1\n/);

    const resumed = await flockctl('resume', workflowId);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`^Resumed ${workflowId}; (phase now: running|its next step starts now)\\.\\n$`));
    const notPaused = await flockctl('resume', workflowId);
    expect(notPaused.code).toBe(4);
    expect(notPaused.stderr).toContain('refused: ');

    // the run goes on to its next step and waits for the approval of the draft
    await eventually(
      async () => {
        const status = await flockctlJson<{ phase: string; waitingFor?: { kind: string; agent: string } }>('status', workflowId);
        return status.phase === 'waiting' && status.waitingFor?.kind === 'approval' ? status : undefined;
      },
      60_000,
      'draft awaiting approval',
    );

    // a follower sees the pause and the resume where they happened
    const follower = follow(workflowId, '--no-text');
    await follower.waitForOutput(/waiting for approval of step 2 draft\n[\s\S]*reject: .*\n/, 60_000);
    const lines = follower.output().split('\n');
    const positions = [
      'waiting for input for step 1 ask',
      `paused (budget review): no further step starts until resumed (flockctl resume ${workflowId} ${printedFlags})`,
      'response: input for step 1 ask accepted',
      'step 1 ask started',
      'resumed',
      'step 2 draft started',
      'waiting for approval of step 2 draft',
    ].map((line) => lines.indexOf(line));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    // Ctrl-C stops following, not the run
    follower.child.kill('SIGINT');
    expect((await follower.exited).code).toBe(130);
    expect(follower.output()).toContain(`Stopped following ${workflowId}; the run goes on`);
    expect((await flockctlJson<{ phase: string }>('status', workflowId)).phase).toBe('waiting');

    // a follower of a cancelled run exits 3
    const last = follow(workflowId, '--json');
    await last.waitForOutput(/"kind":"approval"/, 60_000);
    const cancel = await flockctl('cancel', workflowId);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe(`Cancelled ${workflowId}: the running step stopped and the run ended cancelled.\n`);
    expect((await last.exited).code).toBe(3);
    const events = last
      .output()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; code?: string });
    expect(events.at(-1)).toMatchObject({ type: 'run-failed', code: 'CANCELLED' });
  });
});

describe('flockctl cancel', () => {
  it('stops the running step and says the run ended cancelled', async () => {
    const workflowId = await start('slow', { seconds: 120 });
    await eventually(
      async () => ((await flockctlJson<{ currentAgent: string | null }>('status', workflowId)).currentAgent === 'slow' ? true : undefined),
      60_000,
      'slow step running',
    );
    const began = Date.now();
    const cancel = await flockctl('cancel', workflowId, '--json');
    expect(cancel.code).toBe(0);
    expect(JSON.parse(cancel.stdout)).toEqual({ workflowId, cancelRequested: true, outcome: 'cancelled', ended: true });
    expect(Date.now() - began).toBeLessThan(60_000);
    expect((await flockctlJson<{ phase: string }>('status', workflowId)).phase).toBe('cancelled');
  });

  it('says when the run had completed before the cancellation arrived', async () => {
    const done = await flockctlJson<{ workflowId: string }>('run', '--flock', FIXTURE, '--agent', 'upper', '--input', '{"text":"c"}', '--task-queue', taskQueue, '--wait');
    const cancel = await flockctl('cancel', done.workflowId);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toBe(`Run ${done.workflowId} had already completed before the cancellation arrived; nothing was cancelled.\n`);
  });

  it('says the run has not ended and names the task queue when no worker runs it, exiting 5', async () => {
    const idle = `nobody-polls-${suffix}`;
    const workflowId = await start('upper', { text: 'never' }, idle);
    const cancel = await flockctl('cancel', workflowId, '--wait', '1');
    expect(cancel.code).toBe(5);
    expect(cancel.stdout).toBe(
      `Cancellation requested for ${workflowId}; the run has not ended yet (is a worker running for task queue ${idle}? It ends once a worker takes the cancellation).\n`,
    );
  });
});
