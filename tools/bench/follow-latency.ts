/**
 * Benchmark: how long after a step completes on the server a follower of
 * the run sees it, and how long after an agent streams text the follower
 * gets it. Each run is a chain of agents; each agent streams a timestamped
 * line (`ctx.emitText`), works 40 ms and completes; the last one streams a
 * line every 100 ms for 2 s, as a model would. Two followers watch the
 * same run at once:
 *   - Flock: `run.events()` of `flock.start()` (history long-poll for steps,
 *     heartbeat details for text);
 *   - raw SDK baseline: a bare `GetWorkflowExecutionHistory` long-poll loop
 *     on the same run, the floor of any history-based follower.
 * Step delay = when the follower saw the step - the server's time of its
 * ActivityTaskCompleted event (same machine, same clock).
 * Goal: Flock step delay p50 <= 100 ms.
 *
 *   node --conditions=@flock-ts/source --import tsx tools/bench/follow-latency.ts [runs] [steps]
 *
 * BENCH_DEV_SERVER_ARGS adds dev server flags (the server starts tuned: FAST_DEV_SERVER_CONFIG).
 */
import { Flock, type FlockRunEvent } from '@flock-ts/core';
import { temporal as temporalExecutor, flockDataConverter } from '@flock-ts/temporal';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startDevServer } from '../src';
import { percentile } from './stats';

const runs = Number(process.argv[2] ?? 5);
const steps = Number(process.argv[3] ?? 20);
const { EventType } = temporal.api.enums.v1;

const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;

function chainFlock(address: string, namespace: string): Flock {
  const flock = new Flock({
    name: 'follow-bench',
    maxIterations: steps,
    executor: temporalExecutor(),
    temporalStartInProcessWorker: true,
    temporalConfig: { serverUrl: address, namespace, taskQueue: 'follow-bench' },
  });
  for (let i = 0; i < steps; i++) {
    flock.addAgent({
      name: `a${i}`,
      input: 'n: integer',
      output: 'n: integer',
      evaluate: async ({ n }, ctx) => {
        // the last agent streams like a model: a timestamped line every 100 ms for 2 s
        const lines = i + 1 < steps ? 1 : 20;
        for (let line = 0; line < lines; line++) {
          ctx.emitText(`t=${Date.now()};`);
          await new Promise((resolve) => setTimeout(resolve, lines > 1 ? 100 : 40));
        }
        return { n: (n as number) + 1 };
      },
      ...(i + 1 < steps ? { next: `a${i + 1}` } : {}),
    });
  }
  return flock;
}

/** When a bare history long-poll sees each ActivityTaskCompleted, by event id. */
async function rawFollower(client: Client, workflowId: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  let nextPageToken: Uint8Array | undefined;
  for (;;) {
    const response = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      nextPageToken,
      waitNewEvent: true,
    });
    const now = Date.now();
    let closed = false;
    for (const event of response.history?.events ?? []) {
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) seen.set(String(event.eventId), now);
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED) closed = true;
    }
    if (closed) return seen;
    nextPageToken = response.nextPageToken?.length ? response.nextPageToken : undefined;
  }
}

/** The server's time of each ActivityTaskCompleted, in step order. */
async function completions(client: Client, workflowId: string): Promise<Array<{ id: string; at: number }>> {
  const out: Array<{ id: string; at: number }> = [];
  for (const event of (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []) {
    if (event.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) continue;
    const time = event.eventTime as { seconds?: { toNumber(): number } | number; nanos?: number };
    const seconds = typeof time.seconds === 'number' ? time.seconds : (time.seconds?.toNumber() ?? 0);
    out.push({ id: String(event.eventId), at: seconds * 1000 + (time.nanos ?? 0) / 1e6 });
  }
  return out;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const server = await startDevServer({ namespace: 'default', headless: true, extraArgs: (process.env['BENCH_DEV_SERVER_ARGS'] ?? '').split(' ').filter(Boolean) });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, dataConverter: flockDataConverter() });
  const flock = chainFlock(server.address, server.namespace);
  const delays = { flock: [] as number[], raw: [] as number[], text: [] as number[] };
  let textSteps = 0;
  try {
    for (let r = -1; r < runs; r++) {
      const run = await flock.start({ startAgent: 'a0', input: { n: 0 } });
      const raw = rawFollower(client, run.id);
      const seenByFlock: number[] = [];
      const textSeen = new Set<number>();
      for await (const event of run.events({ text: true }) as AsyncIterable<FlockRunEvent>) {
        const now = Date.now();
        if (event.type === 'step-completed') seenByFlock[event.record.step] = now;
        if (event.type === 'text-delta') {
          for (const match of event.delta.matchAll(/t=(\d+);/g)) if (r >= 0) delays.text.push(now - Number(match[1]));
          textSeen.add(event.step);
        }
      }
      const result = await run.result();
      if (result.output['n'] !== steps) throw new Error(`run computed ${String(result.output['n'])}, expected ${steps}`);
      const rawSeen = await raw;
      const done = await completions(client, run.id);
      if (r < 0) continue; // warm-up: bundling, first connections
      textSteps += textSeen.size;
      done.forEach(({ id, at }, step) => {
        delays.flock.push(seenByFlock[step] - at);
        delays.raw.push((rawSeen.get(id) ?? NaN) - at);
      });
    }
  } finally {
    await connection.close();
    await server.stop();
  }
  const line = (name: string, values: number[]) =>
    process.stdout.write(`  ${name.padEnd(34)} ${ms(percentile(values, 50))} ${ms(percentile(values, 95))} ${ms(Math.max(...values))}   (n=${values.length})\n`);
  process.stdout.write(`Step-to-follower delay: ${runs} runs x ${steps} steps (40 ms each), one dev server, followers in this process\n`);
  process.stdout.write(`                                          p50        p95        max\n`);
  line('Flock run.events() step-completed', delays.flock);
  line('raw SDK history long-poll', delays.raw);
  line('Flock text-delta (emit -> follower)', delays.text);
  process.stdout.write(
    `  steps whose streamed text reached the follower: ${textSteps} of ${runs * steps} (text is read every 250 ms while a step runs: 40 ms steps mostly end first)\n`,
  );
  const p50 = percentile(delays.flock, 50);
  process.stdout.write(`  goal: step delay p50 <= 100 ms: ${p50 <= 100 ? 'MET' : 'NOT MET'} (${p50.toFixed(1)} ms; raw floor ${percentile(delays.raw, 50).toFixed(1)} ms)\n`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
