/**
 * Live runs on a real server: handles from flock.start() / flock.getRun()
 * and the FlockRunsClient read a run's events from its history, in order
 * and each once, across continue-as-new and a worker restart; text a step
 * streams reaches followers while the step runs without entering the
 * run's history; cancel() stops the running step through ctx.signal and
 * says truthfully how the run ended, also when no worker is up.
 */
import { Flock, defineAgent, type FlockRun, type FlockRunEvent } from '@flock-ts/core';
import { modelEvaluator } from '@flock-ts/llm';
import { startOpenAICompatibleStandIn } from '@flock-ts/llm/testing';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { FlockRunsClient } from '../src/lib/runs-client';
import { eventually, rejection, uniqueQueue, testServer, workerHarness } from './harness';
import { rawRun } from './support/raw-history';
import { temporal } from '../src';

jest.setTimeout(120_000);

const server = testServer();
const { startWorker, clients } = workerHarness();
let runs: FlockRunsClient;
beforeAll(() => {
  runs = clients.runs;
});

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Every event until the run's last, with the time each arrived. */
async function collect(events: AsyncIterable<FlockRunEvent>, onEvent?: (event: FlockRunEvent) => void | Promise<void>) {
  const seen: Array<{ event: FlockRunEvent; at: number }> = [];
  for await (const event of events) {
    seen.push({ event, at: Date.now() });
    await onEvent?.(event);
  }
  return seen;
}

/** `step-started 0 tick`, `step-completed 0 tick`, ... `run-completed`: what order and uniqueness checks compare. */
function outline(events: FlockRunEvent[]): string[] {
  return events
    .filter((e) => e.type !== 'text-delta')
    .map((e) =>
      e.type === 'step-started'
        ? `started ${e.step} ${e.agent}`
        : e.type === 'step-completed'
          ? `completed ${e.record.step} ${e.record.agent}`
          : e.type === 'run-failed'
            ? `run-failed ${e.code}`
            : e.type,
    );
}

function stepsOutline(steps: number, agent: string): string[] {
  return Array.from({ length: steps }, (_, i) => [`started ${i} ${agent}`, `completed ${i} ${agent}`]).flat();
}

/** A flock whose `tick` agent counts to `until`, `delayMs` per step. */
function counter(queue: string, until: number, delayMs: number, extra: Record<string, unknown> = {}) {
  return new Flock({
    name: uniqueQueue('live-count'),
    maxIterations: 100,
    executor: temporal(),
    temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue, ...extra },
    agents: [
      {
        name: 'tick',
        input: 'n: integer',
        output: 'n: integer',
        evaluate: async ({ n }) => {
          await sleep(delayMs);
          return { n: (n as number) + 1 };
        },
        next: (_ctx, output) => ((output['n'] as number) < until ? 'tick' : null),
      },
    ],
  });
}

describe('run events', () => {
  it('arrive in order, each once, across continue-as-new, for a follower and again for a late reader', async () => {
    const queue = uniqueQueue('live-can');
    const flock = counter(queue, 7, 30, { continueAsNew: { maxSteps: 2 } });
    await startWorker(flock, queue);
    const run = await flock.start({ startAgent: 'tick', input: { n: 0 } });
    const followed = (await collect(run.events({ text: false }))).map((s) => s.event);
    expect(outline(followed)).toEqual([...stepsOutline(7, 'tick'), 'run-completed']);
    const completed = followed.filter((e): e is Extract<FlockRunEvent, { type: 'step-completed' }> => e.type === 'step-completed');
    expect(completed.map((e) => e.record.output)).toEqual(Array.from({ length: 7 }, (_, i) => ({ n: i + 1 })));
    expect(followed[followed.length - 1]).toMatchObject({ type: 'run-completed', result: { output: { n: 7 }, stepCount: 7 } });

    // the chain really continued as new, and a reader attaching after the end reads the same events
    // (visibility is eventually consistent: wait until it has every run of the chain closed)
    const chain = await eventually(async () => {
      const statuses: string[] = [];
      for await (const info of runs.client.workflow.list({ query: `WorkflowId = '${run.id}'` })) statuses.push(info.status.name);
      return statuses.length > 0 && !statuses.includes('RUNNING') ? statuses : undefined;
    });
    expect(chain.filter((status) => status === 'CONTINUED_AS_NEW').length).toBeGreaterThanOrEqual(3);
    const again = [];
    for await (const event of runs.events(run.id, { follow: false })) again.push(event);
    expect(again).toEqual(followed);
  });

  it('arrive in order, each once, when the worker stops mid-run and another takes over', async () => {
    const queue = uniqueQueue('live-restart');
    const flock = counter(queue, 6, 400);
    const first = await startWorker(flock, queue);
    const { workflowId } = await runs.start(flock, { startAgent: 'tick', input: { n: 0 } });
    let restarted: Promise<unknown> | undefined;
    const seen = await collect(runs.events(workflowId, { text: false }), (event) => {
      if (event.type === 'step-completed' && event.record.step === 1 && !restarted) {
        // stop the worker while step 2 runs (its attempt fails and is retried), then start another one
        restarted = (async () => {
          await sleep(150);
          await first.shutdown();
          await sleep(500);
          await startWorker(flock, queue);
        })();
      }
    });
    await restarted;
    expect(outline(seen.map((s) => s.event))).toEqual([...stepsOutline(6, 'tick'), 'run-completed']);
    expect(seen[seen.length - 1].event).toMatchObject({ type: 'run-completed', result: { output: { n: 6 } } });
  });

  it('end with run-failed naming the code and agent of a failed run', async () => {
    const queue = uniqueQueue('live-fail');
    const flock = new Flock({
      name: uniqueQueue('live-fail'),
      executor: temporal(),
      temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue, activityDefaults: { retryMaxAttempts: 1 } },
      agents: [{ name: 'broken', input: 'x: string', output: 'y: string', evaluate: () => Promise.reject(new Error('disk on fire')) }],
    });
    await startWorker(flock, queue);
    const run = await flock.start({ startAgent: 'broken', input: { x: 'a' } });
    const events = (await collect(run.events())).map((s) => s.event);
    expect(outline(events)).toEqual(['started 0 broken', 'run-failed AGENT_FAILED']);
    expect(events[1]).toMatchObject({ type: 'run-failed', code: 'AGENT_FAILED', agent: 'broken', message: expect.stringContaining('disk on fire') });
    await expect(run.result()).rejects.toMatchObject({ name: 'FlockRunFailedError', code: 'AGENT_FAILED', agent: 'broken' });
    expect(await run.status()).toMatchObject({ phase: 'failed', currentAgent: null, stepsDone: 0 });
  });
});

describe('text a step streams', () => {
  it('reaches a follower as text-delta events while the step runs, and never enters the run history', async () => {
    const queue = uniqueQueue('live-text');
    const chunks = Array.from({ length: 8 }, (_, i) => `chunk-${i} `);
    const flock = new Flock({
      name: uniqueQueue('live-text'),
      executor: temporal(),
      temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue },
      agents: [
        {
          name: 'writer',
          input: 'topic: string',
          output: 'words: integer',
          evaluate: async (_inputs, ctx) => {
            for (const chunk of chunks) {
              ctx.emitText(chunk);
              await sleep(250);
            }
            return { words: chunks.length };
          },
        },
      ],
    });
    await startWorker(flock, queue);
    const run = await flock.start({ startAgent: 'writer', input: { topic: 'tides' } });
    const seen = await collect(run.events());
    const events = seen.map((s) => s.event);
    expect(outline(events)).toEqual(['started 0 writer', 'completed 0 writer', 'run-completed']);

    const deltas = seen.filter((s): s is { event: Extract<FlockRunEvent, { type: 'text-delta' }>; at: number } => s.event.type === 'text-delta');
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(deltas.every((d) => d.event.step === 0 && d.event.agent === 'writer')).toBe(true);
    // in order, each piece once: what arrived is the start of the streamed text (the last piece may come too late)
    const text = deltas.map((d) => d.event.delta).join('');
    expect(chunks.join('').startsWith(text)).toBe(true);
    expect(text.length).toBeGreaterThanOrEqual(chunks.slice(0, 4).join('').length);
    // between the step's start and its end, and received while it ran
    const started = events.findIndex((e) => e.type === 'step-started');
    const completed = events.findIndex((e) => e.type === 'step-completed');
    expect(events.findIndex((e) => e.type === 'text-delta')).toBeGreaterThan(started);
    expect(events.map((e) => e.type).lastIndexOf('text-delta')).toBeLessThan(completed);
    const finishedAt = Date.parse((events[completed] as Extract<FlockRunEvent, { type: 'step-completed' }>).record.finishedAt);
    expect(deltas[0].at).toBeLessThan(finishedAt - 500);

    // zero history: no event per delta, and the text is nowhere in it
    const raw = await rawRun(server.address, server.namespace, run.id);
    expect(raw.text).not.toContain('chunk-');
    expect(raw.events.length).toBeLessThanOrEqual(15);
  });

  it('is left out with text: false', async () => {
    const queue = uniqueQueue('live-notext');
    const flock = new Flock({
      name: uniqueQueue('live-notext'),
      executor: temporal(),
      temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue },
      agents: [
        {
          name: 'writer',
          input: 'topic: string',
          output: 'done: boolean',
          evaluate: async (_inputs, ctx) => {
            for (let i = 0; i < 4; i++) {
              ctx.emitText(`piece ${i} `);
              await sleep(250);
            }
            return { done: true };
          },
        },
      ],
    });
    await startWorker(flock, queue);
    const run = await flock.start({ startAgent: 'writer', input: { topic: 'x' } });
    const [withText, without] = await Promise.all([collect(run.events()), collect(run.events({ text: false }))]);
    expect(withText.some((s) => s.event.type === 'text-delta')).toBe(true);
    expect(without.some((s) => s.event.type === 'text-delta')).toBe(false);
    expect(outline(without.map((s) => s.event))).toEqual(outline(withText.map((s) => s.event)));
  });
});

describe("a model agent's tokens", () => {
  it('reach a follower as text-delta events while the model streams', async () => {
    const standIn = await startOpenAICompatibleStandIn({ chunkDelayMs: 80 });
    const saved = process.env['FLOCK_OPENAI_BASE_URL'];
    process.env['FLOCK_OPENAI_BASE_URL'] = standIn.baseUrl;
    try {
      const summary = 'Tides rise and fall twice a day because the moon pulls the oceans toward it as the earth turns.';
      standIn.reply({ output: { summary }, usage: { promptTokens: 30, completionTokens: 25 } });
      const queue = uniqueQueue('live-model');
      const flock = new Flock({
        name: uniqueQueue('live-model'),
        model: 'openai-compatible:stand-in-model',
        executor: temporal(),
        temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue },
        agents: [defineAgent({ name: 'summarizer', input: 'text: string', output: 'summary: string', evaluator: modelEvaluator() })],
      });
      await startWorker(flock, queue);
      const run = await flock.start({ startAgent: 'summarizer', input: { text: 'tides' } });
      const seen = await collect(run.events());
      const events = seen.map((s) => s.event);
      expect(outline(events)).toEqual(['started 0 summarizer', 'completed 0 summarizer', 'run-completed']);
      const deltas = events.filter((e): e is Extract<FlockRunEvent, { type: 'text-delta' }> => e.type === 'text-delta');
      expect(deltas.length).toBeGreaterThanOrEqual(2);
      const text = deltas.map((d) => d.delta).join('');
      // the model's answer as it streamed, from its start (its last pieces may come after the step ended)
      expect(JSON.stringify({ summary }).startsWith(text)).toBe(true);
      expect(text).toContain('Tides rise');
      expect(standIn.requests[0]?.stream).toBeDefined();
      expect(events[events.length - 1]).toMatchObject({ type: 'run-completed', result: { output: { summary } } });
    } finally {
      if (saved === undefined) delete process.env['FLOCK_OPENAI_BASE_URL'];
      else process.env['FLOCK_OPENAI_BASE_URL'] = saved;
      await standIn.close();
    }
  });
});

describe('cancel()', () => {
  /** A flock whose `slow` agent writes a file after a sleep that honours ctx.signal, and records what it saw. */
  function sideEffecting(queue: string, seen: { aborted: unknown[] }, sleepMs: number) {
    return new Flock({
      name: uniqueQueue('live-cancel'),
      executor: temporal(),
      temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue },
      agents: [
        {
          name: 'slow',
          input: 'file: string',
          output: 'written: boolean',
          evaluate: async ({ file }, ctx) => {
            try {
              await sleep(sleepMs, ctx.signal);
            } catch (error) {
              seen.aborted.push(ctx.signal?.aborted);
              throw error;
            }
            await writeFile(String(file), 'too late');
            return { written: true };
          },
        },
      ],
    });
  }

  it("stops the running step through ctx.signal and resolves 'cancelled' once it has stopped; the side effect never happens", async () => {
    const queue = uniqueQueue('live-cancel');
    const seen = { aborted: [] as unknown[] };
    const flock = sideEffecting(queue, seen, 4_000);
    await startWorker(flock, queue);
    const file = join(tmpdir(), `flock-cancel-${randomUUID()}`);
    const run = await flock.start({ startAgent: 'slow', input: { file } });
    const follower = collect(run.events({ text: false }));
    // the step is running once a worker picked it up
    for await (const event of run.events({ text: false })) if (event.type === 'step-started') break;
    await sleep(500);
    const asked = Date.now();
    expect(await run.cancel()).toBe('cancelled');
    // well before the agent's sleep would have ended: the step saw the abort
    expect(Date.now() - asked).toBeLessThan(3_000);
    expect(seen.aborted).toEqual([true]);
    await expect(run.result()).rejects.toMatchObject({ name: 'FlockRunFailedError', code: 'CANCELLED' });
    expect((await follower).map((s) => s.event).pop()).toMatchObject({ type: 'run-failed', code: 'CANCELLED' });
    await sleep(4_500);
    expect(existsSync(file)).toBe(false);
    expect(await flock.getRun(run.id).status()).toMatchObject({ phase: 'cancelled', currentAgent: null });
    // a run that has ended says how, and stays so
    expect(await flock.getRun(run.id).cancel()).toBe('cancelled');
  });

  it('is what an aborted flock.run({ signal }) does: the step sees the abort, the run rejects CANCELLED', async () => {
    const queue = uniqueQueue('live-abort');
    const seen = { aborted: [] as unknown[] };
    const flock = sideEffecting(queue, seen, 4_000);
    await startWorker(flock, queue);
    const file = join(tmpdir(), `flock-abort-${randomUUID()}`);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 1_000);
    const asked = Date.now();
    expect(await rejection(flock.run({ startAgent: 'slow', input: { file }, signal: abort.signal }))).toMatchObject({ name: 'FlockRunFailedError', code: 'CANCELLED' });
    expect(Date.now() - asked).toBeLessThan(3_500);
    expect(seen.aborted).toEqual([true]);
    expect(existsSync(file)).toBe(false);
  });

  it("resolves 'running' within waitMs while no worker is up; the run ends cancelled once one is", async () => {
    const queue = uniqueQueue('live-cancel-down');
    const seen = { aborted: [] as unknown[] };
    const flock = sideEffecting(queue, seen, 60_000);
    const worker = await startWorker(flock, queue);
    const file = join(tmpdir(), `flock-cancel-${randomUUID()}`);
    const started = await flock.start({ startAgent: 'slow', input: { file } });
    for await (const event of started.events({ text: false })) if (event.type === 'step-started') break;
    await sleep(300);
    await worker.shutdown();

    // another handle on the same run, as another process would get it
    const run: FlockRun = flock.getRun(started.id);
    const asked = Date.now();
    expect(await run.cancel({ waitMs: 1_500 })).toBe('running');
    expect(Date.now() - asked).toBeLessThan(4_000);
    expect((await run.status()).phase).not.toMatch(/cancelled|completed|failed/);

    await startWorker(flock, queue);
    await expect(run.result()).rejects.toMatchObject({ name: 'FlockRunFailedError', code: 'CANCELLED' });
    expect(await run.cancel({ waitMs: 1_000 })).toBe('cancelled');
    expect(existsSync(file)).toBe(false);
  });
});

describe('handles', () => {
  it('run() keeps onStep and results as before; getRun() reads status without a worker, and never hangs', async () => {
    const queue = uniqueQueue('live-handles');
    const flock = counter(queue, 3, 10, {});
    const worker = await startWorker(flock, queue);
    const steps: number[] = [];
    const result = await flock.run({ startAgent: 'tick', input: { n: 0 }, onStep: (step) => steps.push(step.step) });
    expect(steps).toEqual([0, 1, 2]);
    expect(result).toMatchObject({ output: { n: 3 }, temporal: { workflowId: expect.stringContaining(flock.name) } });
    await worker.shutdown();
    const workflowId = (result as typeof result & { temporal: { workflowId: string } }).temporal.workflowId;
    const asked = Date.now();
    const status = await flock.getRun(workflowId).status();
    expect(Date.now() - asked).toBeLessThan(4_000);
    expect(status).toMatchObject({ phase: 'completed', stepsDone: 3, currentAgent: null, flockName: flock.name });
    expect(status.steps.map((s) => s.step)).toEqual([0, 1, 2]);
    await expect(flock.getRun(workflowId).result()).resolves.toMatchObject({ output: { n: 3 } });
  });

  it('getRun() of an unknown id fails its calls with WorkflowNotFoundError', async () => {
    const flock = counter(uniqueQueue('live-none'), 1, 0);
    const run = flock.getRun(`${flock.name}-nobody`);
    expect(await rejection(run.status())).toMatchObject({ name: 'WorkflowNotFoundError' });
    const events = rejection(collect(run.events()));
    expect(await events).toMatchObject({ name: 'WorkflowNotFoundError' });
  });

  it('start() with an in-process worker serves the run until it ends', async () => {
    const queue = uniqueQueue('live-inproc');
    const local = new Flock({
      name: uniqueQueue('live-inproc'),
      executor: temporal(),
      temporalStartInProcessWorker: true,
      temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue },
      agents: [{ name: 'echo', input: 'x: string', output: 'y: string', evaluate: ({ x }) => ({ y: String(x).toUpperCase() }) }],
    });
    const run = await local.start({ startAgent: 'echo', input: { x: 'hi' } });
    await expect(run.result()).resolves.toMatchObject({ output: { y: 'HI' } });
    expect(outline((await collect(run.events())).map((s) => s.event))).toEqual(['started 0 echo', 'completed 0 echo', 'run-completed']);
  });
});
