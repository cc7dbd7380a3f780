/**
 * People in the loop on a real server, through run handles and the
 * FlockRunsClient: a human agent's run waits for its input (refused answers
 * never enter history and the run keeps waiting), approvals approve,
 * redo or fail, and pause / resume act at step boundaries. Each shows in
 * the run's status and events.
 */
import { Flock, type FlockRun, type FlockRunEvent } from '@flock-ts/core';
import { temporal } from '@temporalio/proto';
import { FlockRunsClient } from '../src/lib/runs-client';
import { eventually, rejection, uniqueQueue, testServer, workerHarness } from './harness';
import { rawRun } from './support/raw-history';
import { temporal as temporalExecutor } from '../src';

jest.setTimeout(120_000);

const { EventType } = temporal.api.enums.v1;
const server = testServer();
const { startWorker, clients } = workerHarness();
let runs: FlockRunsClient;
beforeAll(() => {
  runs = clients.runs;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Follows a run's events in the background; `next(type)` waits for the next event of a type. */
function follow(events: AsyncIterable<FlockRunEvent>) {
  const seen: FlockRunEvent[] = [];
  const waiters: Array<{ type: string; from: number; resolve: (e: FlockRunEvent) => void }> = [];
  let read = 0;
  const done = (async () => {
    for await (const event of events) {
      seen.push(event);
      for (const waiter of [...waiters]) {
        const found = seen.slice(waiter.from).find((e) => e.type === waiter.type);
        if (found) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(found);
        }
      }
    }
  })();
  return {
    seen,
    done,
    /** The next event of `type` after those taken so far. */
    next<T extends FlockRunEvent['type']>(type: T): Promise<Extract<FlockRunEvent, { type: T }>> {
      return new Promise((resolve) => {
        const index = seen.slice(read).findIndex((e) => e.type === type);
        if (index >= 0) {
          read += index + 1;
          resolve(seen[read - 1] as Extract<FlockRunEvent, { type: T }>);
          return;
        }
        waiters.push({
          type,
          from: read,
          resolve: (event) => {
            read = seen.indexOf(event) + 1;
            resolve(event as Extract<FlockRunEvent, { type: T }>);
          },
        });
      });
    },
  };
}

function outline(events: FlockRunEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'step-started':
        return `started ${e.step} ${e.agent}`;
      case 'step-completed':
        return `completed ${e.record.step} ${e.record.agent}`;
      case 'waiting':
        return `waiting ${e.waitingFor.kind} ${e.waitingFor.step} ${e.waitingFor.agent}`;
      case 'response':
        return `response ${e.kind} ${e.step} ${e.agent}${e.approved === undefined ? '' : e.approved ? ' approved' : ' rejected'}`;
      case 'run-failed':
        return `run-failed ${e.code}`;
      default:
        return e.type;
    }
  });
}

async function acceptedUpdates(workflowId: string): Promise<string[]> {
  const { events } = await rawRun(server.address, server.namespace, workflowId);
  return events
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? '');
}

function temporalFlock(prefix: string, queue: string, agents: ConstructorParameters<typeof Flock>[0]['agents']) {
  return new Flock({
    name: uniqueQueue(prefix),
    executor: temporalExecutor(),
    temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue },
    agents,
  });
}

describe('a human agent', () => {
  it('makes the run wait for its input; a bad answer is refused before history and the run keeps waiting; a good one continues it', async () => {
    const queue = uniqueQueue('people-input');
    const flock = temporalFlock('people-input', queue, [
      { name: 'ask', input: 'question: string', output: 'verdict: string, score: integer', human: { prompt: 'Ship it?' }, next: 'finish' },
      {
        name: 'finish',
        input: 'verdict: string, score: integer',
        output: 'summary: string',
        evaluate: ({ verdict, score }) => ({ summary: `${String(verdict)}/${String(score)}` }),
      },
    ]);
    await startWorker(flock, queue);
    const run = await flock.start({ startAgent: 'ask', input: { question: 'release?' } });
    const events = follow(run.events());

    const waiting = await events.next('waiting');
    expect(waiting.waitingFor).toMatchObject({ kind: 'input', agent: 'ask', step: 0, prompt: 'Ship it?', signature: 'verdict: string, score: integer' });
    expect(await run.status()).toMatchObject({ phase: 'waiting', currentAgent: 'ask', waitingFor: { kind: 'input', agent: 'ask', step: 0 } });
    expect(await runs.status(run.id)).toMatchObject({ phase: 'waiting', waitingFor: { kind: 'input', agent: 'ask', step: 0, prompt: 'Ship it?' } });

    const refused = await rejection(run.send({ output: { verdict: 'yes', score: 'high' } }));
    expect(refused).toMatchObject({ name: 'InvalidResponseError', message: expect.stringContaining('output.score'), issues: [expect.stringMatching(/^output\.score: /)] });
    const wrongKind = await rejection(runs.respond(run.id, { approved: true }));
    expect(wrongKind).toMatchObject({ name: 'InvalidResponseError', message: expect.stringContaining('waits for input') });
    const wrongStep = await rejection(run.send({ output: { verdict: 'yes', score: 1 }, step: 5 }));
    expect(wrongStep).toMatchObject({ name: 'InvalidResponseError', message: expect.stringContaining('step 5') });
    // refused answers leave no trace in history, and the run still waits
    expect(await acceptedUpdates(run.id)).toEqual([]);
    expect(await run.status()).toMatchObject({ phase: 'waiting', waitingFor: { agent: 'ask' } });

    expect(await run.send({ output: { verdict: 'yes', score: 3 }, by: 'ana' })).toEqual({ agent: 'ask', step: 0, kind: 'input' });
    await expect(run.result()).resolves.toMatchObject({ output: { summary: 'yes/3' }, stepCount: 2 });
    await events.done;
    expect(outline(events.seen)).toEqual([
      'waiting input 0 ask',
      'response input 0 ask',
      'started 0 ask',
      'completed 0 ask',
      'started 1 finish',
      'completed 1 finish',
      'run-completed',
    ]);
    expect(events.seen.find((e) => e.type === 'response')).toMatchObject({ by: 'ana' });
    expect(events.seen.find((e) => e.type === 'step-completed')).toMatchObject({ record: { output: { verdict: 'yes', score: 3 } } });
    expect(await acceptedUpdates(run.id)).toEqual(['flock.respond']);
    // the run has ended: nothing waits any more
    expect(await rejection(run.send({ output: { verdict: 'no', score: 0 } }))).toMatchObject({ name: 'InvalidResponseError' });
  });
});

describe('an approval', () => {
  const drafter = (onReject: 'redo' | 'fail') => [
    {
      name: 'draft',
      input: 'topic: string',
      output: 'text: string',
      approval: { prompt: 'Publish?', onReject },
      evaluate: (({ topic }: Record<string, unknown>, ctx: { review?: { comment?: string } }) => ({
        text: ctx.review ? `${String(topic)} (after "${ctx.review.comment}")` : String(topic),
      })) as never,
    },
  ];

  it('redoes the step with the reviewer comment on reject, then goes on once approved', async () => {
    const queue = uniqueQueue('people-approve');
    const flock = temporalFlock('people-approve', queue, drafter('redo'));
    await startWorker(flock, queue);
    const run = await flock.start({ startAgent: 'draft', input: { topic: 'tides' } });
    const events = follow(run.events());

    const first = await events.next('waiting');
    expect(first.waitingFor).toMatchObject({ kind: 'approval', agent: 'draft', step: 0, prompt: 'Publish?' });
    expect(first.waitingFor).not.toHaveProperty('output');
    // the status shows the output to approve
    expect((await run.status()).waitingFor).toMatchObject({ kind: 'approval', step: 0, output: { text: 'tides' } });
    expect(await rejection(run.send({ output: { text: 'x' } }))).toMatchObject({ name: 'InvalidResponseError' });
    expect(await run.send({ approved: false, comment: 'more moon', by: 'bo' })).toEqual({ agent: 'draft', step: 0, kind: 'approval' });

    const second = await events.next('waiting');
    expect(second.waitingFor).toMatchObject({ kind: 'approval', agent: 'draft', step: 1 });
    expect((await run.status()).waitingFor).toMatchObject({ output: { text: 'tides (after "more moon")' } });
    await runs.respond(run.id, { approved: true });
    await expect(run.result()).resolves.toMatchObject({ output: { text: 'tides (after "more moon")' }, stepCount: 2 });
    await events.done;
    expect(outline(events.seen)).toEqual([
      'started 0 draft',
      'completed 0 draft',
      'waiting approval 0 draft',
      'response approval 0 draft rejected',
      'started 1 draft',
      'completed 1 draft',
      'waiting approval 1 draft',
      'response approval 1 draft approved',
      'run-completed',
    ]);
    expect(events.seen.find((e) => e.type === 'response')).toMatchObject({ comment: 'more moon', by: 'bo' });
  });

  it('fails the run with REJECTED on reject when the agent says so', async () => {
    const queue = uniqueQueue('people-reject');
    const flock = temporalFlock('people-reject', queue, drafter('fail'));
    await startWorker(flock, queue);
    const { workflowId } = await runs.start(flock, { startAgent: 'draft', input: { topic: 'tides' } });
    const events = follow(runs.events(workflowId));
    await events.next('waiting');
    await runs.respond(workflowId, { approved: false, comment: 'off topic' });
    expect(await rejection(runs.result(workflowId))).toMatchObject({ name: 'FlockRunFailedError', code: 'REJECTED', agent: 'draft' });
    await events.done;
    expect(events.seen[events.seen.length - 1]).toMatchObject({ type: 'run-failed', code: 'REJECTED', agent: 'draft', message: expect.stringContaining('off topic') });
  });
});

describe('pause and resume', () => {
  it('stop the run at the next step boundary until resumed; a second pause or a resume of a running run is refused', async () => {
    const queue = uniqueQueue('people-pause');
    const flock = temporalFlock('people-pause', queue, [
      {
        name: 'tick',
        input: 'n: integer',
        output: 'n: integer',
        evaluate: async ({ n }) => {
          await sleep(600);
          return { n: (n as number) + 1 };
        },
        next: (_ctx, output) => ((output['n'] as number) < 3 ? 'tick' : null),
      },
    ]);
    await startWorker(flock, queue);
    const { workflowId } = await runs.start(flock, { startAgent: 'tick', input: { n: 0 } });
    const run: FlockRun = runs.run(workflowId);
    const events = follow(run.events({ text: false }));
    await events.next('step-started');

    expect(await rejection(runs.resume(workflowId))).toMatchObject({ name: 'InvalidRunCommandError', message: 'The run is not paused' });
    const paused = await runs.pause(workflowId, 'lunch');
    expect(paused).toMatchObject({ pauseRequested: true, workflowVersion: 2 });
    expect(await rejection(run.pause())).toMatchObject({ name: 'InvalidRunCommandError' });

    // the running step finishes; the next one waits
    await events.next('step-completed');
    const status = await eventually(async () => {
      const view = await runs.status(workflowId);
      return view.phase === 'paused' ? view : undefined;
    });
    expect(status).toMatchObject({ phase: 'paused', pauseRequested: true, stepsDone: 1 });
    await sleep(1_500);
    expect(events.seen.filter((e) => e.type === 'step-started')).toHaveLength(1);
    expect((await run.status()).phase).toBe('paused');

    const resumed = await run.resume();
    expect(resumed.pauseRequested).toBeUndefined();
    await expect(run.result()).resolves.toMatchObject({ output: { n: 3 } });
    await events.done;
    expect(outline(events.seen)).toEqual([
      'started 0 tick',
      'paused',
      'completed 0 tick',
      'resumed',
      'started 1 tick',
      'completed 1 tick',
      'started 2 tick',
      'completed 2 tick',
      'run-completed',
    ]);
    expect(events.seen[1]).toEqual({ type: 'paused', reason: 'lunch' });
    expect(await acceptedUpdates(workflowId)).toEqual(['flock.pause', 'flock.resume']);
  });

  it('cancel() ends a waiting run as cancelled', async () => {
    const queue = uniqueQueue('people-cancel');
    const flock = temporalFlock('people-cancel', queue, [{ name: 'ask', input: 'q: string', output: 'a: string', human: {} }]);
    await startWorker(flock, queue);
    const run = await flock.start({ startAgent: 'ask', input: { q: '?' } });
    const events = follow(run.events());
    await events.next('waiting');
    expect(await run.cancel({ waitMs: 10_000 })).toBe('cancelled');
    await events.done;
    expect(outline(events.seen)).toEqual(['waiting input 0 ask', 'run-failed CANCELLED']);
  });
});
