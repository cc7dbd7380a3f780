import { Flock } from '@flock-ts/core';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { temporal } from '../src';
import { FlockPlugin } from '../src/worker';
import { temporalConfigFor, testServer, uniqueQueue } from './harness';

describe('FlockPlugin on an existing Temporal worker (real server)', () => {
  it("hosts a flock next to the worker's own workflow and activities, and a plugged client reads its result", async () => {
    const taskQueue = uniqueQueue('plugin');
    const flock = new Flock({
      name: 'plugged-flock',
      executor: temporal(),
      temporalConfig: temporalConfigFor(taskQueue),
      agents: [
        { name: 'upper', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text: String(text).toUpperCase() }), next: 'exclaim' },
        { name: 'exclaim', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text: `${String(text)}!` }) },
      ],
    });
    const plugin = new FlockPlugin({ flocks: [flock] });
    const { address, namespace } = testServer();
    const connection = await NativeConnection.connect({ address });
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      // the user's own workflow module, which also exports Flock's workflows
      workflowsPath: require.resolve('./fixtures/own-workflows'),
      activities: { shout: async (text: string) => text.toUpperCase() },
      plugins: [plugin],
    });
    const clientConnection = await Connection.connect({ address });
    try {
      await worker.runUntil(async () => {
        // a flock run: started by the flock's executor, served by the user's worker
        const result = await flock.run({ startAgent: 'upper', input: { text: 'plug' } });
        expect(result.output).toEqual({ text: 'PLUG!' });
        expect(result.steps.map((step) => step.agent)).toEqual(['upper', 'exclaim']);
        // the user's own workflow on the same worker
        const client = new Client({ connection: clientConnection, namespace, plugins: [plugin] });
        const greeting = await client.workflow.execute('greetingWorkflow', { taskQueue, workflowId: uniqueQueue('greet'), args: ['flock'] });
        expect(greeting).toBe('HELLO FLOCK');
        // the plugged client decodes Flock's payloads: the run's result through a plain handle
        expect(await client.workflow.getHandle(result.temporal.workflowId).result()).toMatchObject({ output: { text: 'PLUG!' } });
      });
    } finally {
      await flock.close();
      await clientConnection.close();
      await connection.close();
    }
  }, 120_000);
});
