/**
 * Benchmark: runs of any length (run engine v2). On one tuned dev server:
 *   1. a LONG run (default 10,000 steps) of one agent that outputs 1 KB and
 *      hands off to itself by code, run to completion; prints each run of
 *      its continue-as-new chain (events, history bytes), the largest, and
 *      the activity input bytes at step 10 and at step 9,000;
 *   2. history bytes of 100 such steps against a raw SDK workflow whose
 *      activity gets only the previous output (same server, same payload).
 * Goals: the chain's runs stay <= 10,240 events and <= 10 MB each; input at
 * step 9,000 within 2x of step 10; 100-step history within 1.5x of raw.
 *
 *   node --conditions=@flock-ts/source --import tsx tools/bench/long-run.ts [steps]
 */
import { createFlockActivities } from '@flock-ts/activities';
import { Flock, type StepRequest } from '@flock-ts/core';
import { FlockRunsClient, ensureFlockSearchAttributes, flockDataConverter, resolveConnection } from '@flock-ts/temporal';
import { bundleFlockWorkflows, inlineSourceMap, withSourceCondition } from '@flock-ts/temporal/worker';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import path from 'node:path';
import { startDevServer } from '../src';
import type { RawLoopValue } from './fixtures/raw-chain-workflow';

const STEPS = Number(process.argv[2] ?? 10_000);
const PAYLOAD = 'x'.repeat(1024);
const TASK_QUEUE = 'bench-long-run';
const { EventType } = temporal.api.enums.v1;

/** One agent that outputs 1 KB and hands off to itself by code until `steps` steps ran. */
function loopFlock(name: string, steps: number): Flock {
  return new Flock({
    name,
    maxIterations: steps + 10,
    temporalConfig: { taskQueue: TASK_QUEUE },
    agents: [
      {
        name: 'looper',
        input: 'n: integer, payload: string',
        output: 'n: integer, payload: string',
        evaluate: ({ n }) => ({ n: (n as number) + 1, payload: PAYLOAD }),
        next: (_ctx, output) => ((output['n'] as number) < steps ? 'looper' : null),
      },
    ],
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({
    namespace: 'default',
    headless: true,
  });
  const flock = loopFlock('bench-long-run', STEPS);
  const hundred = loopFlock('bench-hundred', 100);
  const connection = await NativeConnection.connect({ address: server.address });
  const resolved = resolveConnection({ serverUrl: server.address, namespace: server.namespace });
  await ensureFlockSearchAttributes(connection, resolved);
  const rawLoopStep = async (value: RawLoopValue): Promise<RawLoopValue> => ({ n: value.n + 1, payload: PAYLOAD });
  const worker = await Worker.create({
    connection,
    namespace: server.namespace,
    taskQueue: TASK_QUEUE,
    activities: { ...createFlockActivities({ flocks: [flock, hundred] }), rawLoopStep },
    dataConverter: flockDataConverter(),
    workflowBundle: inlineSourceMap(await bundleFlockWorkflows({ tracing: false })),
  });
  const rawWorker = await Worker.create({
    connection,
    namespace: server.namespace,
    taskQueue: `${TASK_QUEUE}-raw`,
    activities: { rawLoopStep },
    dataConverter: flockDataConverter(),
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/raw-chain-workflow.ts'),
      webpackConfigHook: withSourceCondition,
      logger: new DefaultLogger('WARN'),
    }),
  });
  const runs = await FlockRunsClient.connect(resolved);
  const client = runs.client;
  const out = (line: string) => process.stdout.write(`${line}\n`);

  /** Each run of the chain of `workflowId`, oldest first: its events and bytes (server's own figures). */
  const chain = async (workflowId: string) => {
    const infos = [];
    for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) infos.push(info);
    return infos
      .map((info) => ({ runId: info.runId, status: info.status.name, start: info.startTime.getTime(), events: info.historyLength, bytes: info.historySize ?? 0 }))
      .sort((a, b) => a.start - b.start);
  };

  /** Bytes of the activity input payload of the step with index `step`, in any run of the chain. */
  const inputBytesAt = async (workflowId: string, runIds: string[], step: number) => {
    for (const runId of runIds) {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      for (const event of history.events ?? []) {
        if (event.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) continue;
        const payloads = event.activityTaskScheduledEventAttributes?.input?.payloads;
        const request = await decodeFromPayloadsAtIndex<StepRequest>(client.options.loadedDataConverter, 0, payloads);
        if (request.step === step) return payloads?.[0]?.data?.byteLength ?? 0;
      }
    }
    throw new Error(`no step ${step} found`);
  };

  try {
    await Promise.all([
      rawWorker.runUntil(
        worker.runUntil(async () => {
          // 1. the long run
          out(`Long run: ${STEPS} steps of 1 KB output, code hand-off to itself, one worker, tuned dev server`);
          const started = performance.now();
          const info = await runs.start(flock, { startAgent: 'looper', input: { n: 0, payload: PAYLOAD } });
          const result = await runs.result(info.workflowId);
          const seconds = (performance.now() - started) / 1000;
          if (result.output['n'] !== STEPS || result.stepCount !== STEPS) throw new Error(`run ended at n=${String(result.output['n'])}, ${result.stepCount} steps`);
          const runsOfChain = await chain(info.workflowId);
          out(`  completed: ${result.stepCount} steps in ${seconds.toFixed(1)} s (${((seconds * 1000) / STEPS).toFixed(2)} ms/step), ${runsOfChain.length} runs in the chain`);
          out(`  result payload: ${JSON.stringify(result).length} bytes (${result.steps.length} step summaries)`);
          out(`  run  status            events   history`);
          runsOfChain.forEach((run, i) => out(`  ${String(i + 1).padStart(3)}  ${run.status.padEnd(16)}  ${String(run.events).padStart(6)}  ${mb(run.bytes).padStart(9)}`));
          const maxEvents = Math.max(...runsOfChain.map((r) => r.events));
          const maxBytes = Math.max(...runsOfChain.map((r) => r.bytes));
          out(
            `  largest run: ${maxEvents} events (goal <= 10,240: ${maxEvents <= 10_240 ? 'MET' : 'NOT MET'}), ${mb(maxBytes)} (goal <= 10 MB: ${maxBytes <= 10 * 1024 * 1024 ? 'MET' : 'NOT MET'})`,
          );
          const ids = runsOfChain.map((r) => r.runId);
          const late = Math.min(9_000, STEPS - 1);
          const [early, later] = [await inputBytesAt(info.workflowId, ids, 10), await inputBytesAt(info.workflowId, ids, late)];
          out(
            `  activity input: step 10 = ${early} bytes, step ${late} = ${later} bytes, ratio ${(later / early).toFixed(3)} (goal <= 2: ${later / early <= 2 ? 'MET' : 'NOT MET'})`,
          );

          // 2. 100 steps: Flock against a raw SDK loop
          const flockStarted = performance.now();
          const flockRun = await runs.start(hundred, { startAgent: 'looper', input: { n: 0, payload: PAYLOAD } });
          await runs.result(flockRun.workflowId);
          const flockMsPerStep = (performance.now() - flockStarted) / 100;
          const rawId = `raw-loop-${Date.now()}`;
          const rawStarted = performance.now();
          await client.workflow.execute('RawLoopWorkflow', { taskQueue: `${TASK_QUEUE}-raw`, workflowId: rawId, args: [100, { n: 0, payload: PAYLOAD }] });
          const rawMsPerStep = (performance.now() - rawStarted) / 100;
          const [flockChain, rawChain] = [await chain(flockRun.workflowId), await chain(rawId)];
          const flockBytes = flockChain.reduce((sum, r) => sum + r.bytes, 0);
          const rawBytes = rawChain.reduce((sum, r) => sum + r.bytes, 0);
          out(
            `100 steps of 1 KB, history bytes: Flock ${flockBytes} (${flockChain[0].events} events), raw SDK ${rawBytes} (${rawChain[0].events} events), ratio ${(flockBytes / rawBytes).toFixed(3)} (goal <= 1.5: ${flockBytes / rawBytes <= 1.5 ? 'MET' : 'NOT MET'})`,
          );
          out(
            `100 steps of 1 KB, time per step: Flock ${flockMsPerStep.toFixed(2)} ms, raw SDK ${rawMsPerStep.toFixed(2)} ms (same server and worker process; the long run's ms/step compares to these)`,
          );
        }),
      ),
    ]);
  } finally {
    await runs.close();
    await connection.close();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
