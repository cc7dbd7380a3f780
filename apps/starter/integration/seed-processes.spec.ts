/**
 * The seed end to end as a deployment runs it, on whichever server the
 * suite has (the dev server in `npm test`, temporal-server on PostgreSQL in
 * `integration-prod`): a flock-worker process hosts the example flocks
 * (`--flock @flock-ts/examples`), flockctl processes start the README's
 * example flock (and the collatz one) and read them back.
 * The run is one workflow, each agent one activity; the whole flock is in
 * the memo; the run is found by its search attributes.
 */
import { decodeFlockMemo } from '@flock-ts/serialization';
import { exampleCorpusPath } from '@flock-ts/examples';
import { FlockRunsClient, resolveConnection } from '@flock-ts/temporal';
import { eventually, runSource, spawnSource, stopChild, testServer, type ChildHandle } from '@flock-ts/tools';
import { randomUUID } from 'node:crypto';

const FLOCKCTL = 'apps/starter/src/main.ts';
const WORKER = 'apps/worker/src/main.ts';

jest.setTimeout(120_000);

const server = testServer();
const taskQueue = `seed-it-${randomUUID().slice(0, 8)}`;
const connection = ['--server', server.address, '--namespace', server.namespace, '--task-queue', taskQueue];
let worker: ChildHandle;

async function flockctlJson<T>(...args: string[]): Promise<T> {
  const result = await runSource(FLOCKCTL, [...args, ...connection, '--json']);
  if (result.code !== 0) throw new Error(`flockctl ${args.join(' ')} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

beforeAll(async () => {
  // the package itself as the --flock module: its index exports `flocks`
  worker = spawnSource(WORKER, [...connection, '--flock', '@flock-ts/examples']);
  await worker.waitForOutput(/polling task queue\(s\) /);
});

afterAll(async () => {
  if (worker) await stopChild(worker);
});

describe('the README example flock through flock-worker and flockctl processes', () => {
  it('runs durably: one workflow, one activity per agent, the whole flock in the memo, found by its search attributes', async () => {
    const out = await flockctlJson<{ workflowId: string; result: { output: { report: string; bestDocument: string }; steps: Array<{ agent: string }> } }>(
      'run',
      '--flock-name',
      'corpus-report',
      '--agent',
      'reader',
      '--input',
      JSON.stringify({ folder: exampleCorpusPath }),
      '--wait',
    );
    expect(out.result.steps.map((step) => step.agent)).toEqual(['reader', 'ranker', 'reporter']);
    expect(out.result.output.bestDocument).toMatch(/\.txt$/);
    expect(out.result.output.report).toContain(out.result.output.bestDocument);

    const runs = await FlockRunsClient.connect(resolveConnection({ serverUrl: server.address, namespace: server.namespace }, {}));
    try {
      const handle = runs.client.workflow.getHandle(out.workflowId);
      const description = await handle.describe();
      expect(description.status.name).toBe('COMPLETED');
      const definition = decodeFlockMemo(description.memo ?? {});
      expect(definition.agents.map((agent) => agent.name)).toEqual(['reader', 'ranker', 'reporter']);
      expect(definition.agents[0].input).toBe('folder: string | folder of .txt files');
      const history = await handle.fetchHistory();
      const scheduled = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes);
      expect(scheduled.map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual(['runAgentStep', 'runAgentStep', 'runAgentStep']);
    } finally {
      await runs.close();
    }

    const listed = await eventually(
      async () => {
        const runs = await flockctlJson<Array<{ workflowId: string; phase: string }>>('list', '--flock-name', 'corpus-report', '--limit', '200');
        return runs.find((run) => run.workflowId === out.workflowId && run.phase === 'completed');
      },
      30_000,
      'the run listed by FlockName, completed',
    );
    expect(listed.workflowId).toBe(out.workflowId);
  });

  it('runs the other example flock the worker hosts, collatz, through its router', async () => {
    const out = await flockctlJson<{ result: { output: { n: number; steps: number }; steps: Array<{ agent: string }> } }>(
      'run',
      '--flock-name',
      'collatz',
      '--agent',
      'start',
      '--input',
      JSON.stringify({ n: 6 }),
      '--wait',
    );
    expect(out.result.output).toEqual({ n: 1, steps: 8 });
    expect(out.result.steps.map((step) => step.agent)).toEqual(['start', 'halve', 'triple', 'halve', 'triple', 'halve', 'halve', 'halve', 'halve']);
  });
});
