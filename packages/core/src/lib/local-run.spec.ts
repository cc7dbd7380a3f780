import { z } from 'zod';
import { Flock } from './flock';
import type { FlockRun } from './run-handle';
import type { FlockRunEvent, RunPhase } from './run-state';

/** Resolves once the run's status satisfies `ready` (checked after each event). */
async function until(run: FlockRun, ready: (phase: RunPhase) => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ready((await run.status()).phase); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(ready((await run.status()).phase)).toBe(true);
}

async function collect(run: FlockRun): Promise<FlockRunEvent[]> {
  const events: FlockRunEvent[] = [];
  for await (const event of run.events()) events.push(event);
  return events;
}

const kinds = (events: FlockRunEvent[]) =>
  events.map((e) => (e.type === 'step-started' || e.type === 'text-delta' ? `${e.type}:${e.agent}` : e.type === 'step-completed' ? `${e.type}:${e.record.agent}` : e.type));

const reviewFlock = (approval: Record<string, unknown> | boolean = true) =>
  new Flock({
    name: 'review',
    agents: [
      { name: 'ask', input: 'topic: string', output: 'angle: string, depth: integer', human: { prompt: 'Which angle?' }, next: 'draft' },
      {
        name: 'draft',
        input: 'topic: string, angle: string',
        output: 'text: string',
        evaluate: ({ topic, angle }, ctx) => ({ text: `${String(topic)} from ${String(angle)}${ctx.review ? ` (revised: ${ctx.review.comment})` : ''}` }),
        approval: approval as boolean,
      },
    ],
  });

describe('LocalFlockRun (flock.start in-process)', () => {
  it('yields every event in order, each once, to a follower that attaches late too', async () => {
    const flock = new Flock({
      name: 'chain',
      agents: [
        { name: 'a', input: 'n: integer', output: 'n: integer', evaluate: ({ n }) => ({ n: (n as number) + 1 }), next: 'b' },
        {
          name: 'b',
          input: 'n: integer',
          output: 'n: integer',
          evaluate: ({ n }, ctx) => {
            ctx.emitText('thinking ');
            ctx.emitText('hard');
            return { n: (n as number) * 10 };
          },
        },
      ],
    });
    const run = await flock.start({ startAgent: 'a', input: { n: 1 } });
    const live = collect(run);
    await expect(run.result()).resolves.toMatchObject({ output: { n: 20 }, stepCount: 2 });
    const seen = await live;
    expect(kinds(seen)).toEqual(['step-started:a', 'step-completed:a', 'step-started:b', 'text-delta:b', 'text-delta:b', 'step-completed:b', 'run-completed']);
    expect(
      seen
        .filter((e) => e.type === 'text-delta')
        .map((e) => (e as { delta: string }).delta)
        .join(''),
    ).toBe('thinking hard');
    // text deltas are live only; everything else is replayed to a late follower
    expect(kinds(await collect(run))).toEqual(['step-started:a', 'step-completed:a', 'step-started:b', 'step-completed:b', 'run-completed']);
    expect(flock.getRun(run.id)).toBe(run);
    expect(() => flock.getRun('nope')).toThrow(expect.objectContaining({ name: 'UnknownRunError' }));
  });

  it('waits for a person: a bad answer is refused with the signature error and the run keeps waiting; a good one continues it', async () => {
    const run = await reviewFlock(false).start({ startAgent: 'ask', input: { topic: 'tides' } });
    await until(run, (phase) => phase === 'waiting');
    const status = await run.status();
    expect(status).toMatchObject({ currentAgent: 'ask', waitingFor: { kind: 'input', agent: 'ask', step: 0, prompt: 'Which angle?', signature: 'angle: string, depth: integer' } });
    await expect(run.send({ output: { angle: 'physics', depth: 'deep' } })).rejects.toMatchObject({
      name: 'InvalidResponseError',
      issues: [expect.stringMatching(/^output\.depth: /)],
    });
    await expect(run.send({ approved: true })).rejects.toMatchObject({ name: 'InvalidResponseError' });
    expect((await run.status()).phase).toBe('waiting');
    await expect(run.send({ output: { angle: 'physics', depth: 2 }, by: 'ana' })).resolves.toEqual({ agent: 'ask', step: 0, kind: 'input' });
    const result = await run.result();
    expect(result.output).toEqual({ text: 'tides from physics' });
    expect(kinds(await collect(run))).toEqual(['waiting', 'response', 'step-started:ask', 'step-completed:ask', 'step-started:draft', 'step-completed:draft', 'run-completed']);
    await expect(run.send({ output: { angle: 'x', depth: 1 } })).rejects.toThrow('The run is not waiting for a response');
  });

  it('continues after an approval, fails with REJECTED on a rejection, and redoes with the comment when asked to', async () => {
    const approved = await reviewFlock().start({ startAgent: 'draft', input: { topic: 't', angle: 'a' } });
    await until(approved, (phase) => phase === 'waiting');
    expect((await approved.status()).waitingFor).toMatchObject({ kind: 'approval', agent: 'draft', step: 0, output: { text: 't from a' } });
    await approved.send({ approved: true });
    await expect(approved.result()).resolves.toMatchObject({ output: { text: 't from a' } });

    const rejected = await reviewFlock().start({ startAgent: 'draft', input: { topic: 't', angle: 'a' } });
    await until(rejected, (phase) => phase === 'waiting');
    await rejected.send({ approved: false, comment: 'too vague', by: 'bo' });
    await expect(rejected.result()).rejects.toMatchObject({
      name: 'FlockRunFailedError',
      code: 'REJECTED',
      agent: 'draft',
      message: expect.stringContaining('rejected by bo: too vague'),
    });
    expect((await rejected.status()).phase).toBe('failed');

    const redo = await reviewFlock({ onReject: 'redo' }).start({ startAgent: 'draft', input: { topic: 't', angle: 'a' } });
    await until(redo, (phase) => phase === 'waiting');
    await redo.send({ approved: false, comment: 'shorter' });
    await until(redo, (phase) => phase === 'waiting');
    expect((await redo.status()).waitingFor).toMatchObject({ step: 1, output: { text: 't from a (revised: shorter)' } });
    await redo.send({ approved: true, step: 1 });
    await expect(redo.result()).resolves.toMatchObject({ stepCount: 2, output: { text: 't from a (revised: shorter)' } });
  });

  it('uses the declared fallback when nobody answers in time, and fails without one', async () => {
    const flock = (fallback?: Record<string, unknown>) =>
      new Flock({ name: 'late', agents: [{ name: 'ask', input: 'q: string', output: 'a: string', human: { timeoutSeconds: 0.05, ...(fallback ? { fallback } : {}) } }] });
    await expect((await flock({ a: 'default' }).start({ startAgent: 'ask', input: { q: '?' } })).result()).resolves.toMatchObject({ output: { a: 'default' } });
    await expect((await flock().start({ startAgent: 'ask', input: { q: '?' } })).result()).rejects.toMatchObject({ code: 'RESPONSE_TIMED_OUT', agent: 'ask' });
  });

  it('checks answers against a zod output signature too', async () => {
    const flock = new Flock({ name: 'zod', agents: [{ name: 'ask', input: 'q: string', output: z.object({ rating: z.number().int().min(1).max(5) }), human: {} }] });
    const run = await flock.start({ startAgent: 'ask', input: { q: '?' } });
    await until(run, (phase) => phase === 'waiting');
    await expect(run.send({ output: { rating: 9 } })).rejects.toMatchObject({ name: 'InvalidResponseError', issues: [expect.stringMatching(/^output\.rating: /)] });
    await run.send({ output: { rating: 4 } });
    await expect(run.result()).resolves.toMatchObject({ output: { rating: 4 } });
  });

  it('pauses at the next step boundary and resumes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    const flock = new Flock({
      name: 'pausable',
      agents: [
        { name: 'a', input: 'x: string', output: 'x: string', evaluate: async ({ x }) => (started.push('a'), await gate, { x }), next: 'b' },
        { name: 'b', input: 'x: string', output: 'x: string', evaluate: ({ x }) => (started.push('b'), { x }) },
      ],
    });
    const run = await flock.start({ startAgent: 'a', input: { x: '1' } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(run.pause('lunch')).resolves.toMatchObject({ pauseRequested: true, phase: 'running' });
    await expect(run.pause()).rejects.toMatchObject({ name: 'InvalidRunCommandError' });
    release();
    await until(run, (phase) => phase === 'paused');
    expect(started).toEqual(['a']);
    await run.resume();
    await expect(run.resume()).rejects.toMatchObject({ name: 'InvalidRunCommandError', message: 'The run is not paused' });
    await run.result();
    expect(started).toEqual(['a', 'b']);
    expect(kinds(await collect(run))).toEqual(['step-started:a', 'paused', 'step-completed:a', 'resumed', 'step-started:b', 'step-completed:b', 'run-completed']);
  });

  it('cancels: the running step sees the abort, its side effect never happens, and the run ends cancelled', async () => {
    const effects: string[] = [];
    let aborted = false;
    const flock = new Flock({
      name: 'cancellable',
      agents: [
        {
          name: 'slow',
          input: 'x: string',
          output: 'x: string',
          evaluate: async ({ x }, ctx) => {
            await new Promise<void>((resolve, reject) => {
              const timer = setTimeout(resolve, 5_000);
              ctx.signal?.addEventListener('abort', () => {
                aborted = true;
                clearTimeout(timer);
                reject(ctx.signal?.reason);
              });
            });
            effects.push('written');
            return { x };
          },
        },
      ],
    });
    const run = await flock.start({ startAgent: 'slow', input: { x: '1' } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(run.cancel()).resolves.toBe('cancelled');
    expect(aborted).toBe(true);
    await expect(run.result()).rejects.toMatchObject({ name: 'FlockRunFailedError', code: 'CANCELLED' });
    expect(effects).toEqual([]);
    expect((await collect(run)).at(-1)).toMatchObject({ type: 'run-failed', code: 'CANCELLED' });
    // a cancel after the end reports how the run ended
    await expect(run.cancel()).resolves.toBe('cancelled');
  });

  it('cancels a run that waits for a person', async () => {
    const run = await reviewFlock(false).start({ startAgent: 'ask', input: { topic: 't' } });
    await until(run, (phase) => phase === 'waiting');
    await expect(run.cancel()).resolves.toBe('cancelled');
    await expect(run.result()).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('refuses a human agent option mixed with code, and a fallback that breaks the signature', () => {
    expect(() => new Flock({ name: 'x', agents: [{ name: 'a', input: 'q: string', output: 'a: string', human: {}, evaluate: () => ({ a: '' }) }] })).toThrow(
      /human: a human agent takes its output from a person/,
    );
    expect(() => new Flock({ name: 'x', agents: [{ name: 'a', input: 'q: string', output: 'n: integer', human: { fallback: { n: 'x' } as never } }] })).toThrow(
      /human\.fallback\.n: the fallback must match the output signature/,
    );
    expect(
      () => new Flock({ name: 'x', agents: [{ name: 'a', input: 'q: string', output: 'n: integer', evaluate: () => ({ n: 1 }), approval: { onReject: 'later' as never } }] }),
    ).toThrow(/approval\.onReject/);
  });
});

describe('LocalFlockRun under a budget', () => {
  /** A code agent that reports what a model would have spent: `tokens` over `calls` calls per step. */
  const spender = (name: string, tokens: number, calls: number, next?: string) => ({
    name,
    input: '',
    output: 'done: boolean',
    evaluator: {
      spec: { kind: 'code' as const },
      evaluate: async () => ({ output: { done: true }, usage: { inputTokens: tokens - 10, outputTokens: 10, totalTokens: tokens, modelCalls: calls } }),
    },
    ...(next ? { next } : {}),
  });

  it("shows the run's budget and the usage of agents with budgets in the status", async () => {
    const flock = new Flock({
      name: 'budgeted',
      budget: { maxTokens: 5000, maxModelCalls: 10 },
      agents: [spender('planner', 100, 1, 'writer'), { ...spender('writer', 300, 2), budget: { maxTokens: 1000 } }],
    });
    const run = await flock.start({ startAgent: 'planner', input: {} });
    await run.result();
    const status = await run.status();
    expect(status.budget).toEqual({ maxTokens: 5000, maxModelCalls: 10 });
    expect(status.usage).toEqual({ inputTokens: 380, outputTokens: 20, totalTokens: 400, modelCalls: 3 });
    expect(status.agentUsage).toEqual({ writer: { inputTokens: 290, outputTokens: 10, totalTokens: 300, modelCalls: 2 } });
  });

  it('has neither budget nor agent usage in the status of a run without budgets', async () => {
    const run = await new Flock({ name: 'free', agents: [spender('a', 100, 1)] }).start({ startAgent: 'a', input: {} });
    await run.result();
    const status = await run.status();
    expect(status).not.toHaveProperty('budget');
    expect(status).not.toHaveProperty('agentUsage');
  });

  it('fails with BUDGET_EXCEEDED after the step that crossed the limit: followers see the step, then the failure', async () => {
    const flock = new Flock({ name: 'budgeted', budget: { maxModelCalls: 3 }, agents: [spender('a', 100, 2, 'b'), spender('b', 100, 2, 'c'), spender('c', 1, 1)] });
    const steps: string[] = [];
    const run = await flock.start({ startAgent: 'a', input: {}, onStep: (record) => steps.push(record.agent) });
    const error = await run.result().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'BUDGET_EXCEEDED', agent: 'b', causeType: 'BudgetExceededError' });
    expect((error as Error).message).toBe('Agent "b" crossed the run\'s model-call budget: 4 model calls used, maxModelCalls is 3');
    const events = await collect(run);
    expect(kinds(events)).toEqual(['step-started:a', 'step-completed:a', 'step-started:b', 'step-completed:b', 'run-failed']);
    expect(events.at(-1)).toMatchObject({ type: 'run-failed', code: 'BUDGET_EXCEEDED', agent: 'b' });
    expect(steps).toEqual(['a', 'b']);
    expect(await run.status()).toMatchObject({ phase: 'failed', stepsDone: 2, usage: { totalTokens: 200, modelCalls: 4 } });
  });

  it('gives each step what is left in its request, and the evaluator sees it', async () => {
    const seen: unknown[] = [];
    let steps = 0;
    const flock = new Flock({
      name: 'budgeted',
      budget: { maxTokens: 1000 },
      agents: [
        {
          ...spender('writer', 300, 1),
          budget: { maxModelCalls: 5 },
          evaluator: {
            spec: { kind: 'code' as const },
            evaluate: async (request) => {
              seen.push(request.budget);
              return { output: { done: true }, usage: { inputTokens: 290, outputTokens: 10, totalTokens: 300, modelCalls: 1 } };
            },
          },
          next: () => (++steps < 2 ? 'writer' : null),
        },
      ],
    });
    await flock.run({ startAgent: 'writer', input: {} });
    expect(seen).toEqual([
      { maxTokens: 1000, maxModelCalls: 5 },
      { maxTokens: 700, maxModelCalls: 4 },
    ]);
  });
});
