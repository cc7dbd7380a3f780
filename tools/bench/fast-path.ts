/**
 * Benchmark: the fast path (issue "Fast path", item 6). One script, one
 * tuned dev server (FAST_DEV_SERVER_CONFIG), every Flock figure next to a
 * raw-SDK baseline measured in the same run, interleaved (alternating
 * order) on this noisy 2-core machine; medians throughout. Figures are
 * printed with each goal as MET / NOT MET, never asserted.
 *
 *  1. Per-step latency of an N-step chain of trivial steps (client start +
 *     result, warm workers): raw workflow with activities (a), the same with
 *     eager start from a client on the worker's NativeConnection (a'), raw
 *     with local activities (b, b' eager); Flock on a separate warm
 *     createFlockWorker started by FlockRunsClient (c), Flock through
 *     flock.run with its long-lived in-process worker (d, eager start; a
 *     TemporalExecutor whose workers outlive the gaps between rounds), and
 *     the same with every agent `local: true` (e). Flock workers run
 *     createFlockWorker's defaults (lean bundle when no telemetry is set up).
 *     Goals: (c)/(a) <= 1.15, (d)/(a') <= 1.15 (flock.run starts eagerly, so
 *     its baseline is raw with eager start; (d)/(a) printed too), (e) p50 <= 10 ms/step.
 *  2. Throughput at the same concurrency (runs of 3 steps): Flock on the
 *     separate worker vs raw. Goal >= 0.8x.
 *  3. CPU ms per run during (2): this process (client + worker, the same
 *     roles for both) from process.cpuUsage(), and the dev server's process
 *     group from /proc/<pid>/stat. Goal: worker (this process) <= 1.3x raw.
 *  4. Worker RSS holding 1,000 open runs in its cache (child processes of
 *     this script, `--child rss-flock|rss-raw`): Flock runs waiting on a
 *     human agent vs raw runs awaiting a condition that never holds; RSS
 *     after all completed their first workflow task minus RSS before the
 *     first start. Flock's worker has the bundle createFlockWorker picks by
 *     default (BENCH_RSS_TRACED=1 adds a child on the traced bundle).
 *     Goal: Flock <= 1.5x raw.
 *  5. Bytes of bundleFlockWorkflows() code, per variant that exists
 *     (tracing on; off when `{ tracing: false }` gives a different bundle).
 *     Goal <= 2,000,000 bytes each.
 *  6. Spawn to polling of a fresh process: `apps/worker/dist/main.js
 *     --flock tools/bench/fixtures/fast-path-flock.mjs` (the shipped
 *     prebuilt bundle, else the one this process built) vs
 *     tools/bench/fixtures/raw-worker.mjs on a prebuilt raw bundle.
 *     Goal <= 1.1x raw. Needs `npm run build` (skipped without dist).
 *
 *   node --conditions=@flock-ts/source --import tsx tools/bench/fast-path.ts [runs=25] [steps=10]
 *   BENCH_QUICK=1 node --conditions=@flock-ts/source --import tsx tools/bench/fast-path.ts   (a smoke run of 30 s to 1.5 min: fewer runs, 200 cached runs)
 *
 * About 2.5 minutes on a quiet 2-core machine, 5 or more when it is busy (throughput: 3 rounds of 150 runs of 3 steps each kind, 20 in flight).
 * BENCH_DEV_SERVER_ARGS adds dev server flags. BENCH_ONLY=6 runs only the bundles and section 6. Progress goes to stderr, the report to stdout.
 */
import { Flock, type RunResult } from '@flock-ts/core';
import { currentTelemetryOrNoop } from '@flock-ts/telemetry';
import { FlockRunsClient, TemporalExecutor, resolveConnection } from '@flock-ts/temporal';
import { bundleFlockWorkflows, createFlockWorker, inlineSourceMap, withSourceCondition, type FlockWorker } from '@flock-ts/temporal/worker';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FLOCK_DEV_SEARCH_ATTRIBUTES, findWorkspaceRoot, startDevServer, type DevServer } from '../src';
import { percentile, median } from './stats';

const quick = process.env['BENCH_QUICK'] === '1';
const isChild = process.argv[2] === '--child';
const runs = isChild ? 0 : Number(process.argv[2] ?? (quick ? 6 : 25));
const steps = isChild ? 0 : Number(process.argv[3] ?? 10);
const WARM_UP_ROUNDS = quick ? 2 : 3;
const THROUGHPUT = { runs: quick ? 40 : 150, steps: 3, inFlight: 20, rounds: quick ? 1 : 3 };
const CACHED_RUNS = quick ? 200 : 1_000;
const MAX_CACHED_WORKFLOWS = Math.max(1_100, CACHED_RUNS + 100);
const START_SPAWNS = quick ? 2 : 5;
const BUNDLE_LIMIT = 2_000_000;
const IN_PROCESS_IDLE_MS = 120_000;
const QUEUES = {
  raw: 'fp-raw',
  flock: 'fp-flock',
  inProcess: 'fp-in-process',
  local: 'fp-local',
  rssFlock: 'fp-rss-flock',
  rssRaw: 'fp-rss-raw',
  startFlock: 'fp-start-flock',
  startRaw: 'fp-start-raw',
};
const rawActivities = { rawStep: async (n: number) => n + 1 };

// ---------------------------------------------------------------- helpers

const verdict = (met: boolean) => (met ? 'MET' : 'NOT MET');
const progress = (line: string) => process.stderr.write(`[fast-path] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `count` tasks, at most `width` at once; results in task order. */
async function pool<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await task(i);
      }
    }),
  );
  return out;
}

/** A chain of `length` trivial code agents a0 -> a1 -> ... adding one to `n`. */
function chainFlock(name: string, length: number, inProcess?: { server: DevServer; taskQueue: string; local?: boolean }): Flock {
  const flock = new Flock({
    name,
    maxIterations: Math.max(20, length),
    ...(inProcess
      ? {
          temporalStartInProcessWorker: true,
          // a long-lived executor: its in-process workers outlive the gaps between this flock's runs
          // (default idle shutdown 1.5 s, shorter than a round of all variants on a busy machine)
          executor: new TemporalExecutor({ workerIdleShutdownMs: IN_PROCESS_IDLE_MS }),
          temporalConfig: { serverUrl: inProcess.server.address, namespace: inProcess.server.namespace, taskQueue: inProcess.taskQueue },
        }
      : {}),
  });
  for (let i = 0; i < length; i++) {
    flock.addAgent({
      name: `a${i}`,
      input: 'n: integer',
      output: 'n: integer',
      evaluate: ({ n }) => ({ n: (n as number) + 1 }),
      ...(i + 1 < length ? { next: `a${i + 1}` } : {}),
      ...(inProcess?.local ? { temporalActivityConfig: { local: true } } : {}),
    });
  }
  return flock;
}

/** A flock whose first agent waits for a person: its runs stay open after their first workflow task. */
function humanFlock(): Flock {
  const flock = new Flock({ name: 'fp-rss' });
  flock.addAgent({ name: 'ask', input: 'question: string', output: 'answer: string', human: { prompt: 'Answer the question' } });
  return flock;
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU ms (user + system, with reaped children) of every process in the group `pgid`. */
function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // fields after "(comm)": state ppid pgrp ... utime(12th) stime cutime cstime
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return (ticks * 1000) / CLK_TCK;
}

const processCpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

// ------------------------------------------------------- child: RSS worker

type ChildMessage = { type: 'ready'; rss: number } | { type: 'cached'; rss: number; cached: number; heapUsed: number } | { type: 'failed'; error: string };

/** `--child rss-flock|rss-raw <address> <namespace> <bundle file> <runs>`: a worker that reports its RSS around `runs` cached runs. */
async function child(): Promise<void> {
  const [kind, address, namespace, bundlePath, count] = process.argv.slice(3);
  const expected = Number(count);
  const send = (message: ChildMessage) => new Promise<void>((resolve) => (process.send ? process.send(message, undefined, {}, () => resolve()) : resolve()));
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    let worker: Worker;
    let stop: () => Promise<void>;
    if (kind === 'rss-flock') {
      const flockWorker = await createFlockWorker({
        connection: resolveConnection({ serverUrl: address, namespace }),
        flocks: [humanFlock()],
        taskQueue: QUEUES.rssFlock,
        workflowBundlePath: bundlePath,
        workerOptions: { maxCachedWorkflows: MAX_CACHED_WORKFLOWS },
      });
      void flockWorker.run();
      await flockWorker.polling();
      worker = flockWorker.worker;
      stop = () => flockWorker.shutdown();
    } else {
      const connection = await NativeConnection.connect({ address });
      const rawWorker = await Worker.create({
        connection,
        namespace,
        taskQueue: QUEUES.rssRaw,
        workflowBundle: { codePath: bundlePath },
        activities: rawActivities,
        maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
      });
      const running = rawWorker.run();
      while (rawWorker.getState() !== 'RUNNING') await sleep(5);
      worker = rawWorker;
      stop = async () => {
        rawWorker.shutdown();
        await running;
        await connection.close();
      };
    }
    const settledRss = async () => {
      for (let i = 0; i < 3; i++) {
        (globalThis as { gc?: () => void }).gc?.();
        await sleep(100);
      }
      return process.memoryUsage().rss;
    };
    await send({ type: 'ready', rss: await settledRss() });
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
      const status = worker.getStatus();
      if (status.numCachedWorkflows >= expected && status.numInFlightWorkflowActivations === 0) break;
      if (Date.now() > deadline) throw new Error(`only ${status.numCachedWorkflows} of ${expected} runs cached after 10 min`);
      await sleep(50);
    }
    const rss = await settledRss();
    await send({ type: 'cached', rss, cached: worker.getStatus().numCachedWorkflows, heapUsed: process.memoryUsage().heapUsed });
    await new Promise((resolve) => process.once('message', resolve));
    await stop();
  } catch (error) {
    await send({ type: 'failed', error: (error as Error)?.stack ?? String(error) });
  }
  process.exit(0);
}

/**
 * Runs a `--child` worker, starts `CACHED_RUNS` runs on it with `startRun`
 * once it polls, reads its RSS once all are cached, terminates them.
 */
async function rssOf(
  kind: 'rss-flock' | 'rss-raw',
  server: DevServer,
  bundlePath: string,
  startRun: (i: number) => Promise<string>,
  terminate: (workflowId: string) => Promise<unknown>,
): Promise<{ before: number; after: number; cached: number; heapUsed: number }> {
  const worker = spawn(process.execPath, [...process.execArgv, '--expose-gc', __filename, '--child', kind, server.address, server.namespace, bundlePath, String(CACHED_RUNS)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
  const inbox: ChildMessage[] = [];
  let wake: (() => void) | undefined;
  worker.on('message', (message: ChildMessage) => {
    inbox.push(message);
    wake?.();
  });
  const next = async <T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> => {
    for (;;) {
      const message = inbox.shift();
      if (message?.type === 'failed') throw new Error(`${kind} child failed: ${message.error}`);
      if (message?.type === type) return message as Extract<ChildMessage, { type: T }>;
      if (!message) {
        const woken = new Promise<void>((resolve) => (wake = resolve));
        const gone = exited.then((code) => {
          if (inbox.length === 0) throw new Error(`${kind} child exited (${code}) before "${type}"`);
        });
        await Promise.race([woken, gone]);
      }
    }
  };
  try {
    const ready = await next('ready');
    const ids = await pool(CACHED_RUNS, 50, startRun);
    const cached = await next('cached');
    await pool(ids.length, 50, (i) => terminate(ids[i]));
    worker.send('stop');
    await exited;
    return { before: ready.rss, after: cached.rss, cached: cached.cached, heapUsed: cached.heapUsed };
  } finally {
    if (worker.exitCode === null) worker.kill('SIGKILL');
  }
}

// ------------------------------------------------ spawn-to-polling timing

/** Milliseconds from spawning `node args` until `marker` shows on its output; the process is stopped afterwards. */
async function spawnToPolling(cwd: string, args: string[], marker: RegExp): Promise<{ ms: number; output: string }> {
  const started = performance.now();
  const worker = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve));
  let output = '';
  try {
    return await new Promise<{ ms: number; output: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${marker.source}" within 60 s:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (marker.test(output)) {
          clearTimeout(timer);
          resolve({ ms: performance.now() - started, output });
        }
      };
      worker.stdout.on('data', onData);
      worker.stderr.on('data', onData);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${args.join(' ')} exited (${code}) before polling:\n${output}`));
      });
    });
  } finally {
    if (worker.exitCode === null) {
      worker.kill('SIGTERM');
      const killer = setTimeout(() => worker.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
  }
}

// -------------------------------------------------------------------- main

interface Variant {
  key: string;
  label: string;
  /** One run; resolves whether it started eagerly (undefined: not asked). */
  once(id: string): Promise<boolean | undefined>;
  perStep: number[];
  eager: number;
}

async function main(): Promise<void> {
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(steps) || steps < 10) {
    console.error('usage: fast-path.ts [runs >= 1] [steps >= 10]');
    process.exitCode = 2;
    return;
  }
  const began = Date.now();
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(0)} s`;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const root = findWorkspaceRoot();
  const dir = mkdtempSync(path.join(tmpdir(), 'flock-bench-fast-path-'));
  const server = await startDevServer({
    namespace: 'default',
    headless: true,
    searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES },
    extraArgs: (process.env['BENCH_DEV_SERVER_ARGS'] ?? '').split(' ').filter(Boolean),
  });
  progress(`dev server ${server.address} (pid ${server.pid}), tuned; ${quick ? 'quick mode' : 'full mode'}: ${runs} runs x ${steps} steps`);
  const report: string[] = [];
  const goals: Array<{ name: string; value: string; met: boolean | undefined }> = [];
  const out = (line = '') => report.push(line);
  const closers: Array<() => Promise<unknown>> = [];
  try {
    // ---- 5. bundles (built first: the workers below and the children use them)
    progress('bundling workflow code');
    const traced = await bundleFlockWorkflows();
    const lean = await bundleFlockWorkflows({ tracing: false });
    // what createFlockWorker bundles when given no file: lean unless telemetry is set up (none here)
    const workerBundle = currentTelemetryOrNoop().enabled ? traced : lean;
    const workerVariant = workerBundle === lean ? 'tracing off' : 'tracing on';
    const rawBundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/fast-path-workflows.ts'),
      webpackConfigHook: withSourceCondition,
      logger: new DefaultLogger('WARN'),
    });
    const bundleFiles = { traced: path.join(dir, 'flock-traced.js'), worker: path.join(dir, 'flock-worker-default.js'), raw: path.join(dir, 'raw.js') };
    writeFileSync(bundleFiles.traced, inlineSourceMap(traced).code);
    writeFileSync(bundleFiles.worker, inlineSourceMap(workerBundle).code);
    writeFileSync(bundleFiles.raw, rawBundle.code);
    progress(`bundles built (${elapsed()})`);

    // BENCH_ONLY=6: only the bundles and the spawn-to-polling figure (section 6)
    if (process.env['BENCH_ONLY'] !== '6') {
      // ---- workers and clients of sections 1-3
      progress('starting workers');
      const resolved = resolveConnection({ serverUrl: server.address, namespace: server.namespace }, {});
      const rawConnection = await NativeConnection.connect({ address: server.address });
      closers.push(() => rawConnection.close());
      const rawWorker = await Worker.create({
        connection: rawConnection,
        namespace: server.namespace,
        taskQueue: QUEUES.raw,
        workflowBundle: { codePath: bundleFiles.raw },
        activities: rawActivities,
      });
      const rawRunning = rawWorker.run();
      closers.unshift(async () => {
        if (rawWorker.getState() === 'RUNNING') rawWorker.shutdown();
        await rawRunning;
      });
      // on the worker's own NativeConnection: starts may ask for eager start
      const rawEagerClient = new Client({ connection: rawConnection, namespace: server.namespace });
      const clientConnection = await Connection.connect({ address: server.address });
      closers.push(() => clientConnection.close());
      const rawClient = new Client({ connection: clientConnection, namespace: server.namespace });

      const workerChain = chainFlock('fp-worker-chain', steps);
      const throughputChain = chainFlock('fp-throughput', THROUGHPUT.steps);
      const flockWorker: FlockWorker = await createFlockWorker({ connection: resolved, flocks: [workerChain, throughputChain], taskQueue: QUEUES.flock });
      const flockRunning = flockWorker.run();
      closers.unshift(() => flockWorker.shutdown().then(() => flockRunning));
      await flockWorker.polling();
      const runsClient = await FlockRunsClient.connect(resolved);
      closers.push(() => runsClient.close());
      const inProcess = chainFlock('fp-in-process', steps, { server, taskQueue: QUEUES.inProcess });
      const local = chainFlock('fp-local', steps, { server, taskQueue: QUEUES.local, local: true });
      closers.unshift(
        () => inProcess.close(),
        () => local.close(),
      );
      while (rawWorker.getState() !== 'RUNNING') await sleep(5);

      // ---- 1. per-step latency
      const rawRun = async (client: Client, workflowType: string, id: string, eager: boolean, length = steps) => {
        const handle = await client.workflow.start(workflowType, {
          taskQueue: QUEUES.raw,
          workflowId: id,
          args: [length, 0],
          ...(eager ? { requestEagerStart: true } : {}),
        });
        const n = (await handle.result()) as number;
        if (n !== length) throw new Error(`${workflowType} ${id} computed ${n}, expected ${length}`);
        return eager ? handle.eagerlyStarted : undefined;
      };
      const checkFlock = (result: RunResult, what: string, length = steps) => {
        if (result.output['n'] !== length) throw new Error(`${what} computed ${String(result.output['n'])}, expected ${length}`);
      };
      const flockRun = async (flock: Flock, what: string) => {
        const result = await flock.run({ startAgent: 'a0', input: { n: 0 } });
        checkFlock(result, what);
        return (result as RunResult & { temporal?: { eagerlyStarted?: boolean } }).temporal?.eagerlyStarted;
      };
      const variant = (key: string, label: string, once: Variant['once']): Variant => ({ key, label, once, perStep: [], eager: 0 });
      const variants: Variant[] = [
        variant('a', 'raw SDK, activities', (id) => rawRun(rawClient, 'RawChainActivities', id, false)),
        variant("a'", 'raw SDK, activities, eager start', (id) => rawRun(rawEagerClient, 'RawChainActivities', id, true)),
        variant('b', 'raw SDK, local activities', (id) => rawRun(rawClient, 'RawChainLocalActivities', id, false)),
        variant("b'", 'raw SDK, local activities, eager start', (id) => rawRun(rawEagerClient, 'RawChainLocalActivities', id, true)),
        variant('c', 'Flock, separate worker, FlockRunsClient', async (id) => {
          const { workflowId } = await runsClient.start(workerChain, { startAgent: 'a0', input: { n: 0 }, runId: id, taskQueue: QUEUES.flock });
          checkFlock(await runsClient.result(workflowId), 'separate worker');
          return undefined;
        }),
        variant('d', 'Flock, flock.run, in-process worker', () => flockRun(inProcess, 'flock.run')),
        variant('e', 'Flock, flock.run, in-process, local: true', () => flockRun(local, 'flock.run local')),
      ];
      progress(`per-step latency: warm-up (${WARM_UP_ROUNDS} rounds), then ${runs} rounds of ${variants.length} variants`);
      const stamp = Date.now();
      for (let round = -WARM_UP_ROUNDS; round < runs; round++) {
        // alternate the order so drift on the machine hits every variant alike
        const order = round % 2 === 0 ? variants : [...variants].reverse();
        for (const v of order) {
          const started = performance.now();
          const eager = await v.once(`fp-${v.key.replace("'", 'e')}-${stamp}-${round}`);
          const elapsed = performance.now() - started;
          if (round < 0) continue;
          v.perStep.push(elapsed / steps);
          if (eager) v.eager++;
        }
      }
      await inProcess.close();
      await local.close();
      const p50 = Object.fromEntries(variants.map((v) => [v.key, percentile(v.perStep, 50)]));
      const fmt = (value: number, width = 7) => value.toFixed(2).padStart(width);
      out(`1. Per-step latency: ${runs} runs x ${steps} trivial steps per variant, client start + result, warm workers (ms per step)`);
      out(`   Flock workers: createFlockWorker defaults (workflow bundle ${workerVariant}; no telemetry set up in this process);`);
      out(`   (d), (e): TemporalExecutor({ workerIdleShutdownMs: ${IN_PROCESS_IDLE_MS} }), so the in-process workers stay up between rounds`);
      out(`                                                   p50      p90  eager starts`);
      for (const v of variants) {
        const eager = v.key === "a'" || v.key === "b'" || v.key === 'd' || v.key === 'e' ? `${v.eager}/${v.perStep.length}` : '-';
        out(`   (${v.key})${' '.repeat(3 - v.key.length)}${v.label.padEnd(42)} ${fmt(p50[v.key])}  ${fmt(percentile(v.perStep, 90))}  ${eager}`);
      }
      const ratioCA = p50['c'] / p50['a'];
      const ratioDAe = p50['d'] / p50["a'"];
      const ratioDA = p50['d'] / p50['a'];
      out(`   (c)/(a)  ${ratioCA.toFixed(3)}  separate worker vs raw, both started without eager start; goal <= 1.15: ${verdict(ratioCA <= 1.15)}`);
      out(`   (d)/(a') ${ratioDAe.toFixed(3)}  flock.run (starts eagerly) vs raw with eager start; goal <= 1.15: ${verdict(ratioDAe <= 1.15)}`);
      out(`   (d)/(a)  ${ratioDA.toFixed(3)}  flock.run vs raw without eager start (same goal, for reference): ${verdict(ratioDA <= 1.15)}`);
      out(`   (e)/(b') ${(p50['e'] / p50["b'"]).toFixed(3)}  flock.run local vs raw local activities with eager start (no goal)`);
      out(`   (e) p50  ${p50['e'].toFixed(2)} ms/step; goal <= 10 ms/step: ${verdict(p50['e'] <= 10)}`);
      goals.push(
        { name: '1 (c)/(a) per-step p50 <= 1.15', value: ratioCA.toFixed(3), met: ratioCA <= 1.15 },
        { name: "1 (d)/(a') per-step p50 <= 1.15", value: ratioDAe.toFixed(3), met: ratioDAe <= 1.15 },
        { name: '1 (e) p50 <= 10 ms/step', value: `${p50['e'].toFixed(2)} ms`, met: p50['e'] <= 10 },
      );

      // ---- 2 + 3. throughput and CPU per run
      progress(
        `per-step latency measured (${elapsed()}); throughput: ${THROUGHPUT.rounds} round(s) of ${THROUGHPUT.runs} runs x ${THROUGHPUT.steps} steps, ${THROUGHPUT.inFlight} in flight, each kind`,
      );
      const tp = { flock: [] as Array<{ perSecond: number; cpu: number; server: number }>, raw: [] as Array<{ perSecond: number; cpu: number; server: number }> };
      const batch = async (kind: 'flock' | 'raw', round: number, count = THROUGHPUT.runs) => {
        const cpu = process.cpuUsage();
        const serverCpu = groupCpuMs(server.pid);
        const started = performance.now();
        await pool(count, THROUGHPUT.inFlight, async (i) => {
          const id = `fp-tp-${kind}-${stamp}-${round}-${i}`;
          if (kind === 'raw') return rawRun(rawClient, 'RawChainActivities', id, false, THROUGHPUT.steps);
          const { workflowId } = await runsClient.start(throughputChain, { startAgent: 'a0', input: { n: 0 }, runId: id, taskQueue: QUEUES.flock });
          checkFlock(await runsClient.result(workflowId), 'throughput run', THROUGHPUT.steps);
          return undefined;
        });
        const seconds = (performance.now() - started) / 1000;
        tp[kind].push({ perSecond: count / seconds, cpu: processCpuMs(cpu) / count, server: (groupCpuMs(server.pid) - serverCpu) / count });
      };
      // warm-up of both (connections, caches), not counted
      await batch('raw', -1, 2 * THROUGHPUT.inFlight);
      await batch('flock', -1, 2 * THROUGHPUT.inFlight);
      tp.raw.length = 0;
      tp.flock.length = 0;
      for (let round = 0; round < THROUGHPUT.rounds; round++) {
        for (const kind of round % 2 ? (['flock', 'raw'] as const) : (['raw', 'flock'] as const)) await batch(kind, round);
      }
      const tpMedian = (kind: 'flock' | 'raw', field: 'perSecond' | 'cpu' | 'server') => median(tp[kind].map((r) => r[field]));
      const tpRatio = tpMedian('flock', 'perSecond') / tpMedian('raw', 'perSecond');
      const cpuRatio = tpMedian('flock', 'cpu') / tpMedian('raw', 'cpu');
      const serverRatio = tpMedian('flock', 'server') / tpMedian('raw', 'server');
      out();
      out(`2. Throughput: ${THROUGHPUT.runs} runs x ${THROUGHPUT.steps} steps, ${THROUGHPUT.inFlight} in flight, median of ${THROUGHPUT.rounds} round(s) each (alternating order)`);
      out(`                                  runs/s   rounds`);
      out(`   Flock, separate worker      ${tpMedian('flock', 'perSecond').toFixed(1).padStart(8)}   ${tp.flock.map((r) => r.perSecond.toFixed(1)).join(', ')}`);
      out(`   raw SDK                     ${tpMedian('raw', 'perSecond').toFixed(1).padStart(8)}   ${tp.raw.map((r) => r.perSecond.toFixed(1)).join(', ')}`);
      out(`   Flock/raw ${tpRatio.toFixed(3)}; goal >= 0.8: ${verdict(tpRatio >= 0.8)}`);
      out();
      out(`3. CPU ms per run during (2) (median of rounds)`);
      out(`                                  this process (client + worker)   dev server (process group ${server.pid})`);
      out(`   Flock, separate worker      ${tpMedian('flock', 'cpu').toFixed(2).padStart(8)}                         ${tpMedian('flock', 'server').toFixed(2).padStart(8)}`);
      out(`   raw SDK                     ${tpMedian('raw', 'cpu').toFixed(2).padStart(8)}                         ${tpMedian('raw', 'server').toFixed(2).padStart(8)}`);
      out(
        `   Flock/raw: this process ${cpuRatio.toFixed(3)}, goal <= 1.3: ${verdict(cpuRatio <= 1.3)}; dev server ${serverRatio.toFixed(3)} (no goal; /proc ticks of ${(1000 / CLK_TCK).toFixed(0)} ms)`,
      );
      goals.push(
        { name: '2 throughput Flock/raw >= 0.8', value: tpRatio.toFixed(3), met: tpRatio >= 0.8 },
        { name: '3 worker CPU per run Flock/raw <= 1.3', value: cpuRatio.toFixed(3), met: cpuRatio <= 1.3 },
      );

      // the rest runs in other processes: the workers here would only add noise
      await flockWorker.shutdown();
      if (rawWorker.getState() === 'RUNNING') rawWorker.shutdown();
      await rawRunning;

      // ---- 4. RSS with cached runs
      progress(`throughput measured (${elapsed()}); worker RSS with ${CACHED_RUNS} cached runs (child processes)`);
      const rssFlock = humanFlock();
      const rawRss = await rssOf(
        'rss-raw',
        server,
        bundleFiles.raw,
        async (i) => (await rawClient.workflow.start('RawWaitForever', { taskQueue: QUEUES.rssRaw, workflowId: `fp-rss-raw-${stamp}-${i}`, args: [] })).workflowId,
        (id) => rawClient.workflow.getHandle(id).terminate('fast-path benchmark done'),
      );
      // the bundle createFlockWorker picks by default (the goal's figure); with BENCH_RSS_TRACED=1 the traced one too when it differs
      const rssVariants = [{ variant: workerVariant, file: bundleFiles.worker }];
      if (workerBundle !== traced && process.env['BENCH_RSS_TRACED'] === '1') rssVariants.push({ variant: 'tracing on', file: bundleFiles.traced });
      const flockRss: Array<{ variant: string; rss: Awaited<ReturnType<typeof rssOf>> }> = [];
      for (const { variant, file } of rssVariants) {
        const tag = variant.replace(/\W+/g, '-');
        flockRss.push({
          variant,
          rss: await rssOf(
            'rss-flock',
            server,
            file,
            async (i) =>
              (await runsClient.start(rssFlock, { startAgent: 'ask', input: { question: `q${i}` }, runId: `${stamp}-${tag}-${i}`, taskQueue: QUEUES.rssFlock })).workflowId,
            (id) => runsClient.client.workflow.getHandle(id).terminate('fast-path benchmark done'),
          ),
        });
      }
      progress(`RSS measured (${elapsed()})`);
      const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
      const growth = (r: { before: number; after: number }) => r.after - r.before;
      const rssRatio = growth(flockRss[0].rss) / growth(rawRss);
      out();
      out(`4. Worker RSS with ${CACHED_RUNS} open runs cached (maxCachedWorkflows ${MAX_CACHED_WORKFLOWS}, one child process each, RSS after gc)`);
      out(`                                           before    with runs    growth   per run  cached  heap used`);
      const rssRows = [...flockRss.map((f) => [`Flock, human agent waits (${f.variant})`, f.rss] as const), ['raw, condition never true', rawRss] as const];
      for (const [name, r] of rssRows) {
        out(
          `   ${name.padEnd(38)}${mib(r.before).padStart(7)} MiB ${mib(r.after).padStart(7)} MiB ${mib(growth(r)).padStart(6)} MiB ` +
            `${(growth(r) / 1024 / CACHED_RUNS).toFixed(1).padStart(6)} KiB ${String(r.cached).padStart(6)} ${mib(r.heapUsed).padStart(6)} MiB`,
        );
      }
      for (const f of flockRss.slice(1)) out(`   growth Flock (${f.variant})/raw ${(growth(f.rss) / growth(rawRss)).toFixed(3)} (for reference)`);
      out(`   growth Flock (${flockRss[0].variant}, createFlockWorker's default here)/raw ${rssRatio.toFixed(3)}; goal <= 1.5: ${verdict(rssRatio <= 1.5)}`);
      goals.push({ name: `4 RSS growth, ${CACHED_RUNS} cached runs, Flock/raw <= 1.5`, value: rssRatio.toFixed(3), met: rssRatio <= 1.5 });
    }

    // ---- 5. bundle bytes (measured above)
    out();
    out('5. Workflow bundle size (bundleFlockWorkflows() code; its source map apart, not counted)');
    const tracedBytes = Buffer.byteLength(traced.code);
    out(`   tracing on (default)   ${String(tracedBytes).padStart(10)} bytes; goal <= ${BUNDLE_LIMIT}: ${verdict(tracedBytes <= BUNDLE_LIMIT)}`);
    goals.push({ name: '5 bundle bytes, tracing on <= 2,000,000', value: String(tracedBytes), met: tracedBytes <= BUNDLE_LIMIT });
    const leanBytes = Buffer.byteLength(lean.code);
    out(`   tracing off            ${String(leanBytes).padStart(10)} bytes; goal <= ${BUNDLE_LIMIT}: ${verdict(leanBytes <= BUNDLE_LIMIT)}`);
    goals.push({ name: '5 bundle bytes, tracing off <= 2,000,000', value: String(leanBytes), met: leanBytes <= BUNDLE_LIMIT });
    const rawMapAt = rawBundle.code.lastIndexOf('//# sourceMappingURL=data:');
    const rawBytes = Buffer.byteLength(rawMapAt < 0 ? rawBundle.code : rawBundle.code.slice(0, rawMapAt));
    out(`   raw baseline bundle    ${String(rawBytes).padStart(10)} bytes without its inline source map (SDK bundler defaults; for reference)`);

    // ---- 6. spawn to polling
    out();
    const workerMain = path.join(root, 'apps/worker/dist/main.js');
    if (!existsSync(workerMain)) {
      out(`6. Worker start to polling: skipped, ${path.relative(root, workerMain)} does not exist: the figure needs \`npm run build\``);
      goals.push({ name: '6 worker start to polling Flock/raw <= 1.1', value: 'skipped (npm run build)', met: undefined });
    } else {
      const shippedBundle = path.join(root, 'apps/worker/dist/workflow-bundle.js');
      const shipped = existsSync(shippedBundle);
      progress(`worker start to polling: ${START_SPAWNS} fresh processes each`);
      const flockArgs = [
        workerMain,
        ...['--server', server.address, '--namespace', server.namespace, '--task-queue', QUEUES.startFlock, '--flock', 'tools/bench/fixtures/fast-path-flock.mjs'],
        ...(shipped ? [] : ['--workflow-bundle', bundleFiles.worker]),
      ];
      const rawArgs = [path.join(root, 'tools/bench/fixtures/raw-worker.mjs'), server.address, server.namespace, QUEUES.startRaw, bundleFiles.raw];
      const times = { flock: [] as number[], raw: [] as number[] };
      let flockOutput = '';
      for (let i = 0; i < START_SPAWNS; i++) {
        for (const kind of i % 2 ? (['flock', 'raw'] as const) : (['raw', 'flock'] as const)) {
          const { ms, output } = await spawnToPolling(root, kind === 'flock' ? flockArgs : rawArgs, kind === 'flock' ? /polling task queue\(s\)/ : /^polling$/m);
          times[kind].push(ms);
          if (kind === 'flock') flockOutput = output;
        }
      }
      const startRatio = median(times.flock) / median(times.raw);
      out(`6. Worker start to polling: fresh node process, spawn until it says it polls, median of ${START_SPAWNS} (alternating order)`);
      out(
        `   flock-worker (apps/worker/dist/main.js, --flock fast-path-flock.mjs)  ${median(times.flock).toFixed(0).padStart(6)} ms   ${times.flock.map((t) => t.toFixed(0)).join(', ')}`,
      );
      out(
        `   raw worker (fixtures/raw-worker.mjs, prebuilt raw bundle)            ${median(times.raw).toFixed(0).padStart(6)} ms   ${times.raw.map((t) => t.toFixed(0)).join(', ')}`,
      );
      out(
        `   bundle of flock-worker: ${shipped ? `shipped in apps/worker/dist; it said: "${/workflow bundle \S+|bundling workflow code at start/.exec(flockOutput)?.[0].replace(`${root}${path.sep}`, '') ?? '?'}"` : `none shipped in apps/worker/dist (\`nx run @flock-ts/worker:build-bundle\` writes it): given the one this process built (${workerVariant}) with --workflow-bundle`}`,
      );
      out(`   Flock/raw ${startRatio.toFixed(3)}; goal <= 1.1: ${verdict(startRatio <= 1.1)}`);
      goals.push({ name: '6 worker start to polling Flock/raw <= 1.1', value: startRatio.toFixed(3), met: startRatio <= 1.1 });
    }
  } finally {
    for (const close of closers) await close().catch((error: unknown) => progress(`closing: ${(error as Error)?.message ?? String(error)}`));
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const header = `Fast path benchmark${quick ? ' (BENCH_QUICK=1)' : ''}: one tuned dev server, Flock and raw SDK interleaved, medians; ${((Date.now() - began) / 1000).toFixed(0)} s`;
  process.stdout.write(`${header}\n\n${report.join('\n')}\n\nGoals\n`);
  for (const goal of goals) {
    process.stdout.write(`   ${goal.name.padEnd(52)} ${goal.value.padStart(10)}  ${goal.met === undefined ? 'NOT MEASURED' : verdict(goal.met)}\n`);
  }
}

(isChild ? child() : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
