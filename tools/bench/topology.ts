/**
 * Benchmark: the same Flock work on the two topologies the tests run on, in
 * one run: the CLI's dev server (one process, SQLite in memory, one history
 * shard) and temporal-server on PostgreSQL with several history shards
 * (`npm run temporal:prod`'s topology). On each, one after the other (never
 * both at once on this 2-core machine): per-step latency of a chain run one
 * at a time, and throughput of 100 such runs 20 at a time, each by
 * FlockWorkflow and by a raw-SDK workflow (the baseline) on in-process
 * workers; then throughput of concurrent runs served by two flock-worker
 * processes.
 * `.ci/run` prints it after the integration-prod suite.
 *
 *   node --conditions=@flock-ts/source --import tsx tools/bench/topology.ts [latencyRuns=20] [steps=5] [loadRuns=200]
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { FLOCK_DEV_SEARCH_ATTRIBUTES, PRODUCTION_TOPOLOGY, startDevServer, startProductionServer } from '../src';
import { measureLoad, type LoadFigures } from './load';
import { percentile } from './stats';
import { measureStepLatency, type BenchTarget } from './workflow-overhead';

const [latencyRuns, steps, loadRuns] = [20, 5, 200].map((fallback, i) => Number(process.argv[2 + i] ?? fallback));

interface Row {
  topology: string;
  readyMs: number;
  flockP50: number;
  flockP90: number;
  rawP50: number;
  /** Runs/s of FlockWorkflow and of the raw-SDK workflow, in-process workers, same chain. */
  runsPerSecond: { flock: number; raw: number };
  load: LoadFigures;
}

async function measure(topology: string, start: () => Promise<BenchTarget & { readyAfterMs: number; stop(): Promise<void> }>): Promise<Row> {
  const server = await start();
  try {
    const latency = await measureStepLatency(server, latencyRuns, steps, { runs: 100, inFlight: 20 });
    const load = await measureLoad(server, { runs: loadRuns, steps: 2, workerCount: 2, concurrency: 50 });
    if (load.wrong > 0) throw new Error(`${topology}: ${load.wrong} runs returned a wrong result`);
    return {
      topology,
      readyMs: server.readyAfterMs,
      flockP50: percentile(latency.flock, 50),
      flockP90: percentile(latency.flock, 90),
      rawP50: percentile(latency.raw, 50),
      runsPerSecond: latency.runsPerSecond as Row['runsPerSecond'],
      load,
    };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const options = { namespace: 'default', searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES } };
  const rows = [
    await measure('dev server (tuned)', () => startDevServer({ ...options, headless: true })),
    await measure(`temporal-server ${PRODUCTION_TOPOLOGY.temporalServerVersion} + PostgreSQL, ${PRODUCTION_TOPOLOGY.numHistoryShards} shards`, () =>
      startProductionServer(options),
    ),
  ];
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`Topologies, same work, one after the other: per-step latency (${latencyRuns} runs x ${steps} code agents, one at a time) and throughput`);
  out(`(100 such runs, 20 in flight) of FlockWorkflow and of a raw-SDK workflow on in-process workers; then ${loadRuns} runs x 2 agents,`);
  out('50 in flight, on 2 flock-worker processes');
  out(
    '| topology | ready ms | Flock p50 ms/step | Flock p90 ms/step | raw SDK p50 ms/step | Flock/raw | Flock runs/s | raw SDK runs/s | Flock/raw | 2 flock-workers runs/s | agent steps/s | run p50 ms | run p95 ms |',
  );
  out('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    out(
      `| ${row.topology} | ${row.readyMs} | ${row.flockP50.toFixed(1)} | ${row.flockP90.toFixed(1)} | ${row.rawP50.toFixed(1)} | ${(row.flockP50 / row.rawP50).toFixed(2)} | ` +
        `${row.runsPerSecond.flock.toFixed(1)} | ${row.runsPerSecond.raw.toFixed(1)} | ${(row.runsPerSecond.flock / row.runsPerSecond.raw).toFixed(2)} | ` +
        `${row.load.runsPerSecond.toFixed(1)} | ${row.load.stepsPerSecond.toFixed(1)} | ${row.load.latencyP50} | ${row.load.latencyP95} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
