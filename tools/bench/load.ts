/**
 * Benchmark: throughput of Flock runs served by flock-worker processes.
 * Starts its own dev server, N worker processes (from the sources, with a
 * prebuilt workflow bundle) on one task queue, then R runs of a chain of S
 * code agents, at most C starting at once; checks every result and prints
 * runs/s, agent steps/s and run latency. The figure in the reliability
 * note; apps/worker/integration/reliability/load.spec.ts asserts the same
 * load on the shared test server.
 *
 *   node --conditions=@flock-ts/source --import tsx tools/bench/load.ts [runs=200] [steps=2] [workers=2] [concurrency=50]
 */
import { FlockRunsClient, resolveConnection } from '@flock-ts/temporal';
import { bundleFlockWorkflows, inlineSourceMap } from '@flock-ts/temporal/worker';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FLOCK_DEV_SEARCH_ATTRIBUTES, findWorkspaceRoot, startDevServer } from '../src';
import { createLoadFlock } from './fixtures/load-flock';
import { percentile } from './stats';
import type { BenchTarget } from './workflow-overhead';

/** What {@link measureLoad} runs. */
export interface LoadShape {
  runs: number;
  steps: number;
  workerCount: number;
  concurrency: number;
}

/** What it measured. */
export interface LoadFigures extends LoadShape {
  seconds: number;
  runsPerSecond: number;
  stepsPerSecond: number;
  latencyP50: number;
  latencyP95: number;
  wrong: number;
}

function startWorker(root: string, args: string[], env: Record<string, string>): { child: ChildProcess; polling: Promise<void> } {
  const child = spawn(process.execPath, ['--conditions=@flock-ts/source', '--import', 'tsx', 'apps/worker/src/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const polling = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('polling task queue(s)')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before polling:\n${output}`)));
  });
  return { child, polling };
}

/**
 * `workerCount` flock-worker processes on one task queue of `server`, then
 * `runs` runs of a chain of `steps` code agents, at most `concurrency`
 * starting at once; every result checked.
 */
export async function measureLoad(server: BenchTarget, { runs, steps, workerCount, concurrency }: LoadShape): Promise<LoadFigures> {
  const root = findWorkspaceRoot();
  const dir = mkdtempSync(path.join(tmpdir(), 'flock-bench-load-'));
  const workers: ChildProcess[] = [];
  try {
    const bundle = path.join(dir, 'workflow-bundle.js');
    writeFileSync(bundle, inlineSourceMap(await bundleFlockWorkflows({ tracing: false })).code);
    const flockName = 'bench-load';
    const taskQueue = `bench-load-${Date.now()}`;
    const started = Array.from({ length: workerCount }, () =>
      startWorker(
        root,
        ['--server', server.address, '--namespace', server.namespace, '--task-queue', taskQueue, '--flock', 'tools/bench/fixtures/load-flock.ts', '--workflow-bundle', bundle],
        { FLOCK_BENCH_FLOCK: flockName, FLOCK_BENCH_STEPS: String(steps) },
      ),
    );
    workers.push(...started.map((w) => w.child));
    await Promise.all(started.map((w) => w.polling));

    const client = await FlockRunsClient.connect(resolveConnection({ serverUrl: server.address, namespace: server.namespace }, {}));
    const flock = createLoadFlock(flockName, steps);
    // one run first: search attributes registered, connections warm
    await client.result((await client.start(flock, { startAgent: 'step1', input: { token: 'warm-up' }, taskQueue })).workflowId);

    const latencies: number[] = [];
    let wrong = 0;
    let next = 0;
    const begin = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < runs) {
          const token = `run-${next++}`;
          const t0 = Date.now();
          const { workflowId } = await client.start(flock, { startAgent: 'step1', input: { token }, taskQueue });
          const result = await client.result(workflowId);
          latencies.push(Date.now() - t0);
          if (result.output['token'] !== token || (result.output['trail'] as string[]).length !== steps) wrong++;
        }
      }),
    );
    const seconds = (Date.now() - begin) / 1000;
    await client.close();
    return {
      runs,
      steps,
      workerCount,
      concurrency,
      seconds,
      runsPerSecond: runs / seconds,
      stepsPerSecond: (runs * steps) / seconds,
      latencyP50: percentile(latencies, 50),
      latencyP95: percentile(latencies, 95),
      wrong,
    };
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve(null) : w.once('exit', resolve)))));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [runs, steps, workerCount, concurrency] = [200, 2, 2, 50].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));
  const server = await startDevServer({ headless: true, searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES } });
  const figures = await measureLoad(server, { runs, steps, workerCount, concurrency }).finally(() => server.stop());
  console.log(
    `load: ${runs} runs x ${steps} agents, ${workerCount} worker processes, ${concurrency} in flight: ${figures.seconds.toFixed(1)} s, ` +
      `${figures.runsPerSecond.toFixed(1)} runs/s, ${figures.stepsPerSecond.toFixed(1)} agent steps/s; ` +
      `run latency p50 ${figures.latencyP50} ms, p95 ${figures.latencyP95} ms; wrong results: ${figures.wrong}`,
  );
  if (figures.wrong > 0) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
