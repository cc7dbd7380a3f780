/**
 * Benchmark: per-step overhead of FlockWorkflow against a hand-written
 * raw-SDK workflow running the same activities on the same server, in one
 * run. Prints per-step p50 latency of both and their ratio.
 * Goals: ratio <= 1.10; FlockWorkflow p50 per step <= 10 ms on the dev server.
 *
 *   node --conditions=@flock-ts/source --import tsx tools/bench/workflow-overhead.ts [runs] [steps]
 */
import { flockWorkflowType, type FlockWorkflowInput } from '@flock-ts/contracts';
import { Flock } from '@flock-ts/core';
import { createFlockActivities } from '@flock-ts/activities';
import { ensureFlockSearchAttributes, flockDataConverter, resolveConnection } from '@flock-ts/temporal';
import { bundleFlockWorkflows, inlineSourceMap, withSourceCondition } from '@flock-ts/temporal/worker';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import path from 'node:path';
import { startDevServer } from '../src';
import { percentile } from './stats';

/** A server to measure on. */
export interface BenchTarget {
  address: string;
  namespace: string;
}

/** Per-step latencies (ms) of the same chain run by FlockWorkflow and by a raw-SDK workflow. */
export interface StepLatency {
  flock: number[];
  raw: number[];
  /** Runs/s of each with `throughput.inFlight` runs at once, when asked for. */
  runsPerSecond?: { flock: number; raw: number };
}

/** Concurrent runs after the latency runs: how many, and how many at once. */
export interface ThroughputShape {
  runs: number;
  inFlight: number;
}

function chainFlock(steps: number): Flock {
  const flock = new Flock({ name: 'bench-chain' });
  for (let i = 0; i < steps; i++) {
    flock.addAgent({
      name: `a${i}`,
      input: 'n: integer',
      output: 'n: integer',
      evaluate: ({ n }) => ({ n: (n as number) + 1 }),
      ...(i + 1 < steps ? { next: `a${i + 1}` } : {}),
    });
  }
  return flock;
}

/**
 * Runs `runs` chains of `steps` code agents one at a time, alternating
 * FlockWorkflow and the raw-SDK workflow, with in-process workers on
 * `server`; resolves with each run's time per step. With `throughput`,
 * then the same chains `throughput.inFlight` at a time, FlockWorkflow and
 * raw one after the other, for runs/s of each.
 */
export async function measureStepLatency(server: BenchTarget, runs: number, steps: number, throughput?: ThroughputShape): Promise<StepLatency> {
  const flock = chainFlock(steps);
  const definition = flock.toDefinition();
  const connection = await NativeConnection.connect({ address: server.address });
  await ensureFlockSearchAttributes(connection, resolveConnection({ serverUrl: server.address, namespace: server.namespace }));
  const activities = createFlockActivities({ flocks: [flock] });
  const common = { connection, namespace: server.namespace, activities, dataConverter: flockDataConverter() };
  // the lean bundle, as createFlockWorker picks it when no traces are exported
  const flockWorker = await Worker.create({ ...common, taskQueue: 'bench-flock', workflowBundle: inlineSourceMap(await bundleFlockWorkflows({ tracing: false })) });
  const rawWorker = await Worker.create({
    ...common,
    taskQueue: 'bench-raw',
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/raw-chain-workflow.ts'),
      webpackConfigHook: withSourceCondition,
      logger: new DefaultLogger('WARN'),
    }),
  });
  const clientConnection = await Connection.connect({ address: server.address });
  const client = new Client({ connection: clientConnection, namespace: server.namespace, dataConverter: flockDataConverter() });

  const perStep: StepLatency = { flock: [], raw: [] };
  const once = async (kind: 'flock' | 'raw', i: number) => {
    const input: FlockWorkflowInput = { definition, startAgent: 'a0', input: { n: 0 }, runId: `${kind}-${i}-${Date.now()}` };
    const started = performance.now();
    const result = await client.workflow.execute(kind === 'flock' ? flockWorkflowType() : 'RawChainWorkflow', {
      taskQueue: kind === 'flock' ? 'bench-flock' : 'bench-raw',
      workflowId: input.runId,
      args: [input],
    });
    const elapsed = performance.now() - started;
    const n = kind === 'flock' ? (result as { output: { n: number } }).output.n : (result as { n: number }).n;
    if (n !== steps) throw new Error(`${kind} run computed ${n}, expected ${steps}`);
    return elapsed / steps;
  };

  const runsPerSecond = async (kind: 'flock' | 'raw', { runs: total, inFlight }: ThroughputShape) => {
    let next = 0;
    const begin = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) await once(kind, 1_000_000 + next++);
      }),
    );
    return total / ((performance.now() - begin) / 1000);
  };

  try {
    await Promise.all([
      flockWorker.runUntil(async () => {
        await rawWorker.runUntil(async () => {
          for (let i = 0; i < 3; i++) await Promise.all([once('flock', -i), once('raw', -i)]); // warm-up
          for (let i = 0; i < runs; i++) {
            // alternate the order so drift on the machine hits both alike
            const order: Array<'flock' | 'raw'> = i % 2 ? ['flock', 'raw'] : ['raw', 'flock'];
            for (const kind of order) perStep[kind].push(await once(kind, i));
          }
          if (throughput) perStep.runsPerSecond = { raw: await runsPerSecond('raw', throughput), flock: await runsPerSecond('flock', throughput) };
        });
      }),
    ]);
  } finally {
    await clientConnection.close();
    await connection.close();
  }
  return perStep;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 30);
  const steps = Number(process.argv[3] ?? 10);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({
    namespace: 'default',
    headless: true,
    extraArgs: (process.env['BENCH_DEV_SERVER_ARGS'] ?? '').split(' ').filter(Boolean),
  });
  const perStep = await measureStepLatency(server, runs, steps).finally(() => server.stop());
  const p50Flock = percentile(perStep.flock, 50);
  const p50Raw = percentile(perStep.raw, 50);
  const ratio = p50Flock / p50Raw;
  const fmt = (v: number) => v.toFixed(2).padStart(7);
  process.stdout.write(`FlockWorkflow vs raw SDK workflow: ${runs} runs x ${steps} steps each, same activities, same dev server\n`);
  process.stdout.write(`                 p50 ms/step  p90 ms/step\n`);
  process.stdout.write(`  FlockWorkflow  ${fmt(p50Flock)}      ${fmt(percentile(perStep.flock, 90))}\n`);
  process.stdout.write(`  raw workflow   ${fmt(p50Raw)}      ${fmt(percentile(perStep.raw, 90))}\n`);
  process.stdout.write(`  ratio (p50)    ${ratio.toFixed(3)}   goal <= 1.10 ${ratio <= 1.1 ? 'MET' : 'NOT MET'}\n`);
  process.stdout.write(`  Flock p50/step ${fmt(p50Flock)} ms goal <= 10 ms ${p50Flock <= 10 ? 'MET' : 'NOT MET'}\n`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
