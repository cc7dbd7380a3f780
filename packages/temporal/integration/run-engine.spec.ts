/**
 * Run engine v2 on a real server: runs continue as new with compact state
 * and stay one run for their callers (same workflow id, status, result,
 * search attributes, step ledger); outputs near the payload limit complete
 * and outputs past it fail at once naming the agent (nothing left
 * RUNNING); a worker whose flock drifted from the run's definition fails
 * the step with a clear error instead of completing the run early.
 */
import { Flock, type StepRecord } from '@flock-ts/core';
import { FLOCK_SEARCH_ATTRIBUTES } from '@flock-ts/contracts';
import { FlockRunsClient } from '../src/lib/runs-client';
import { eventually, rejection, uniqueQueue, testServer, workerHarness } from './harness';
import { temporal } from '../src';

jest.setTimeout(120_000);

const server = testServer();
const { startWorker, clients } = workerHarness();
let runs: FlockRunsClient;
beforeAll(() => {
  runs = clients.runs;
});

/**
 * Runs of a finished workflow id's chain, oldest first, once visibility
 * (eventually consistent) has recorded every run of it as closed.
 */
function chainOf(workflowId: string) {
  return eventually(async () => {
    const infos = [];
    for await (const info of runs.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) infos.push(info);
    if (infos.length === 0 || infos.some((info) => info.status.name === 'RUNNING')) return undefined;
    return infos.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  });
}

describe('continue-as-new', () => {
  const queue = uniqueQueue('engine-can');
  const counter = new Flock({
    name: uniqueQueue('engine-can'),
    maxIterations: 100,
    // a run of the chain holds 5 steps at most: 23 steps make 5 runs
    temporalConfig: { taskQueue: queue, continueAsNew: { maxSteps: 5 } },
    agents: [
      {
        name: 'count',
        input: 'n: integer',
        output: 'n: integer',
        context: { history: 2 },
        evaluate: ({ n }, ctx) => {
          ctx.setVariable('seen', ((ctx.getVariable<number>('seen') ?? 0) as number) + 1);
          // the declared window reaches across continue-as-new
          if ((n as number) >= 2 && ctx.history.map((s) => s.output['n']).join(',') !== `${(n as number) - 1},${n as number}`) {
            throw new Error(`history window wrong at n=${String(n)}: ${JSON.stringify(ctx.history)}`);
          }
          return { n: (n as number) + 1 };
        },
        next: (_ctx, output) => ((output['n'] as number) < 23 ? 'count' : 'finish'),
      },
      { name: 'finish', input: 'n: integer', output: 'total: integer', evaluate: ({ n }) => ({ total: n as number }) },
    ],
  });

  it('continues as new, carrying variables, fields and the history window; callers see one run', async () => {
    await startWorker(counter, queue);
    const { workflowId } = await runs.start(counter, { startAgent: 'count', input: { n: 0 }, sessionId: 'can-session' });
    const result = await runs.result(workflowId);
    expect(result).toMatchObject({ lastAgent: 'finish', output: { total: 23 }, stepCount: 24, variables: { seen: 23 } });
    expect(result.steps.map((s) => s.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 4));

    const chain = await chainOf(workflowId);
    expect(chain.map((run) => run.status.name)).toEqual(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'COMPLETED']);
    // memo and search attributes carried to every run of the chain
    for (const run of chain) {
      expect(run.typedSearchAttributes.get(FLOCK_SEARCH_ATTRIBUTES.FlockName)).toBe(counter.name);
      expect(run.typedSearchAttributes.get(FLOCK_SEARCH_ATTRIBUTES.SessionId)).toBe('can-session');
      expect(run.memo?.['flockName']).toBe(counter.name);
    }
    expect(chain[chain.length - 1].typedSearchAttributes.get(FLOCK_SEARCH_ATTRIBUTES.FlockRunPhase)).toBe('completed');

    const status = await runs.status(workflowId);
    expect(status).toMatchObject({ phase: 'completed', stepsDone: 24, flockName: counter.name });

    // the ledger reads every step, whole, across the 5 runs
    const ledger: StepRecord[] = [];
    for await (const step of runs.steps(workflowId)) ledger.push(step);
    expect(ledger.map((s) => s.step)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(ledger.map((s) => s.output)).toEqual([...Array.from({ length: 23 }, (_, i) => ({ n: i + 1 })), { total: 23 }]);
    expect(ledger[22].nextAgent).toBe('finish');
    expect(ledger[23].nextAgent).toBeNull();
  });

  it('feeds onStep every step once, in order, across continue-as-new (flock.run with an in-process worker)', async () => {
    const queue2 = uniqueQueue('engine-can-live');
    const slow = new Flock({
      name: uniqueQueue('engine-live'),
      maxIterations: 50,
      executor: temporal(),
      temporalStartInProcessWorker: true,
      temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue2, continueAsNew: { maxSteps: 3 } },
      agents: [
        {
          name: 'tick',
          input: 'n: integer',
          output: 'n: integer',
          evaluate: async ({ n }) => {
            await new Promise((resolve) => setTimeout(resolve, 50));
            return { n: (n as number) + 1 };
          },
          next: (_ctx, output) => ((output['n'] as number) < 10 ? 'tick' : null),
        },
      ],
    });
    const seen: number[] = [];
    const result = await slow.run({ startAgent: 'tick', input: { n: 0 }, onStep: (step) => seen.push(step.step) });
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(result).toMatchObject({ output: { n: 10 }, stepCount: 10 });
  });
});

describe('an onStep callback that throws', () => {
  it.each(['local', 'temporal'] as const)(
    'does not change the run on the %s executor: called once, the run completes, flock.run() rejects with OnStepError carrying the result',
    async (mode) => {
      const queue = uniqueQueue('engine-onstep');
      const flock = new Flock({
        name: uniqueQueue('engine-onstep'),
        ...(mode === 'temporal'
          ? { executor: temporal(), temporalStartInProcessWorker: true, temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue } }
          : {}),
        agents: [
          { name: 'one', input: 'n: integer', output: 'n: integer', evaluate: ({ n }) => ({ n: (n as number) + 1 }), next: 'two' },
          { name: 'two', input: 'n: integer', output: 'n: integer', evaluate: ({ n }) => ({ n: (n as number) + 1 }) },
        ],
      });
      const calls: string[] = [];
      const error = await rejection(
        flock.run({
          startAgent: 'one',
          input: { n: 0 },
          onStep: (step) => {
            calls.push(step.agent);
            throw new Error('dashboard offline');
          },
        }),
      );
      expect(calls).toEqual(['one']);
      expect(error).toMatchObject({ name: 'OnStepError', step: 0, agent: 'one', result: { output: { n: 2 }, stepCount: 2 } });
      expect(error.message).toContain('dashboard offline');
    },
  );
});

describe('contract v1', () => {
  it('still runs FlockWorkflow v1 on this worker (in-flight v1 runs finish), with the same result shape', async () => {
    const queue = uniqueQueue('engine-v1');
    const flock = new Flock({
      name: uniqueQueue('engine-v1'),
      temporalConfig: { taskQueue: queue, workflowVersion: 1 },
      agents: [
        { name: 'split', input: 'text: string', output: 'words: string[]', evaluate: ({ text }) => ({ words: String(text).split(' ') }), next: () => 'count' },
        { name: 'count', input: 'words: string[]', output: 'count: integer', evaluate: ({ words }) => ({ count: (words as string[]).length }) },
      ],
    });
    await startWorker(flock, queue);
    const { workflowId } = await runs.start(flock, { startAgent: 'split', input: { text: 'a b c' } });
    const result = await runs.result(workflowId);
    expect(result).toMatchObject({ lastAgent: 'count', output: { count: 3 }, stepCount: 2 });
    expect(result.steps.map((s) => [s.step, s.agent])).toEqual([
      [0, 'split'],
      [1, 'count'],
    ]);
    expect((await runs.status(workflowId)).workflowVersion).toBe(1);
    const description = await runs.client.workflow.getHandle(workflowId).describe();
    expect(description.type).toBe('FlockWorkflow');
  });
});

describe('payload limits', () => {
  const queue = uniqueQueue('engine-size');
  const sized = new Flock({
    name: uniqueQueue('engine-size'),
    temporalConfig: { taskQueue: queue },
    agents: [
      { name: 'big', input: 'size: integer', output: 'blob: string', evaluate: ({ size }) => ({ blob: 'x'.repeat(size as number) }) },
      {
        name: 'growing',
        input: 'size: integer',
        output: 'half: string',
        // each step alone fits; the run's result would carry the last output
        evaluate: ({ size }) => ({ half: 'y'.repeat(size as number) }),
      },
    ],
  });

  beforeAll(() => startWorker(sized, queue));

  it('completes a run whose agent outputs 1.9 MB', async () => {
    const { workflowId } = await runs.start(sized, { startAgent: 'big', input: { size: 1_900_000 } });
    const result = await runs.result(workflowId);
    expect((result.output['blob'] as string).length).toBe(1_900_000);
    expect((await runs.status(workflowId)).executionStatus).toBe('COMPLETED');
  });

  it('fails a run whose agent outputs 2.5 MB at once, naming the agent, without retries', async () => {
    const started = Date.now();
    const { workflowId } = await runs.start(sized, { startAgent: 'big', input: { size: 2_500_000 } });
    const error = await rejection(runs.result(workflowId));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'PAYLOAD_TOO_LARGE', agent: 'big' });
    expect(error.message).toMatch(/Output of agent "big" is \d+ bytes/);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await runs.status(workflowId)).executionStatus).toBe('FAILED');
  });
});

describe('definition drift', () => {
  it('fails the step of an agent the redeployed worker renamed, before running any of its code', async () => {
    const queue = uniqueQueue('engine-rename');
    const name = uniqueQueue('engine-rename');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ran: string[] = [];
    const flockOf = (second: string) =>
      new Flock({
        name,
        temporalConfig: { taskQueue: queue },
        agents: [
          { name: 'first', input: 'x: string', output: 'x: string', evaluate: async ({ x }) => (await gate, { x }), next: second },
          { name: second, input: 'x: string', output: 'y: string', evaluate: ({ x }) => (ran.push(second), { y: String(x) }) },
        ],
      });
    const old = await startWorker(flockOf('second'), queue);
    const { workflowId } = await runs.start(flockOf('second'), { startAgent: 'first', input: { x: 'hi' } });
    const replacement = await startWorker(flockOf('renamed'), queue);
    const stopping = old.shutdown();
    release();
    await stopping;
    const started = Date.now();
    const error = await rejection(runs.result(workflowId));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'DEFINITION_DRIFT', agent: 'second' });
    expect(error.message).toContain(`"second" is not an agent of this worker's flock (its agents: first, renamed)`);
    expect(ran).toEqual([]);
    expect(Date.now() - started).toBeLessThan(15_000);
    await replacement.shutdown();
  });

  it('fails the step of a run whose worker lost a code hand-off, instead of completing early', async () => {
    const queue = uniqueQueue('engine-drift');
    const name = uniqueQueue('engine-drift');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sideEffects: string[] = [];
    const agents = (withHandoff: boolean) => [
      {
        name: 'draft',
        input: 'topic: string',
        output: 'text: string',
        evaluate: async ({ topic }: Record<string, unknown>) => {
          await gate;
          return { text: `draft on ${String(topic)}` };
        },
        next: 'review',
      },
      {
        name: 'review',
        input: 'text: string',
        output: 'text: string, ok: boolean',
        evaluate: ({ text }: Record<string, unknown>) => {
          sideEffects.push(`review v${withHandoff ? 1 : 2}`);
          return { text, ok: true };
        },
        ...(withHandoff ? { next: () => 'publish' } : {}),
      },
      {
        name: 'publish',
        input: 'text: string',
        output: 'url: string',
        evaluate: () => {
          sideEffects.push('publish');
          return { url: 'https://example.invalid/post' };
        },
      },
    ];
    const v1 = new Flock({ name, temporalConfig: { taskQueue: queue }, agents: agents(true) });
    const v2 = new Flock({ name, temporalConfig: { taskQueue: queue }, agents: agents(false) });

    const old = await startWorker(v1, queue);
    const { workflowId } = await runs.start(v1, { startAgent: 'draft', input: { topic: 'durability' } });
    // redeploy while `draft` runs: the old worker finishes its step, the new one takes over
    const replacement = await startWorker(v2, queue);
    const stopping = old.shutdown();
    release();
    await stopping;

    const error = await rejection(runs.result(workflowId));
    expect(error).toMatchObject({ name: 'FlockRunFailedError', code: 'DEFINITION_DRIFT', agent: 'review' });
    expect(error.message).toContain('the hand-off of "review" is none here, code in the run');
    expect(sideEffects).toEqual([]);
    expect((await runs.status(workflowId)).executionStatus).toBe('FAILED');
    await replacement.shutdown();
  });
});
