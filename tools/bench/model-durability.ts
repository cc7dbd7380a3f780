/**
 * Benchmark: a tool-using model agent in both durability modes (issue
 * "per-step latency and history bytes of the same tool-using agent in both
 * modes"), next to raw-SDK baselines measured in the same run on one tuned
 * dev server (FAST_DEV_SERVER_CONFIG), interleaved (alternating order) on
 * this noisy 2-core machine. Figures are printed, never asserted.
 *
 * The model is the OpenAI-compatible stand-in (`@flock-ts/llm/testing`) in
 * this process, over HTTP, answering at once: a tool call (`increment`)
 * while the conversation holds fewer than 2 tool results, then the output
 * JSON. So every run is one agent step of 3 model calls and 2 tool calls:
 *
 *  - Flock 'step': `temporalActivityConfig.durability: 'step'`, one
 *    `runAgentStep` activity runs the whole loop;
 *  - Flock 'call': `durability: 'call'`, one `callAgentModel` activity per
 *    model call and one `callAgentTool` per tool call, scheduled by the workflow;
 *  - raw, one activity: a plain workflow (fixtures/model-durability-workflows.ts)
 *    whose one activity runs the same loop (fixtures/model-durability-loop.ts:
 *    `fetch` to the stand-in's /v1/chat/completions with the body of Flock's
 *    first model call, the tool in process);
 *  - raw, by calls: the same loop in the workflow, each model call (given the
 *    conversation so far) and each tool call a plain activity.
 *
 * Flock runs go through FlockRunsClient to a warm createFlockWorker (its
 * defaults) in this process, as fast-path.ts (c); raw runs through a plain
 * Client to a plain Worker in this process. Per mode: latency per run
 * (client start to result; a run is one agent step) p50/p90, activities and
 * history events per run, history bytes per run (the server's
 * `historySizeBytes` from DescribeWorkflowExecution, and the protobuf-encoded
 * size of the fetched history as a cross-check; medians), and Flock/raw ratios.
 *
 *   node --conditions=@flock-ts/source --import tsx tools/bench/model-durability.ts [runs=20]
 *   BENCH_QUICK=1 node --conditions=@flock-ts/source --import tsx tools/bench/model-durability.ts   (5 runs each)
 *
 * BENCH_DEV_SERVER_ARGS adds dev server flags. Progress goes to stderr, the report to stdout.
 */
import { Flock, defineAgent, defineTool } from '@flock-ts/core';
import { modelEvaluator } from '@flock-ts/llm';
import { startOpenAICompatibleStandIn, type OpenAICompatibleStandIn, type StandInReply, type StandInRequest } from '@flock-ts/llm/testing';
import { FlockRunsClient, resolveConnection } from '@flock-ts/temporal';
import { createFlockWorker, withSourceCondition } from '@flock-ts/temporal/worker';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import path from 'node:path';
import { FAST_DEV_SERVER_CONFIG, FLOCK_DEV_SEARCH_ATTRIBUTES, startDevServer, type DevServer } from '../src';
import { runToolLoop, type ChatBody, type ChatMessage } from './fixtures/model-durability-loop';
import type { ModelDurabilityActivities } from './fixtures/model-durability-workflows';
import { percentile, median } from './stats';

const quick = process.env['BENCH_QUICK'] === '1';
const runs = Number(process.argv[2] ?? (quick ? 5 : 20));
const WARM_UP_ROUNDS = quick ? 1 : 2;
const TOOL_CALLS = 2;
const MODEL_CALLS = TOOL_CALLS + 1;
const MODEL = 'openai-compatible:bench';
const QUEUES = { flock: 'md-flock', raw: 'md-raw' };

// ---------------------------------------------------------------- helpers

const progress = (line: string) => process.stderr.write(`[model-durability] ${line}\n`);

/** Tool results in a conversation. */
const toolResults = (body: Record<string, unknown>) => ((body['messages'] ?? []) as Array<{ role?: string }>).filter((message) => message.role === 'tool').length;

/** The stand-in's model, one reply per request: `increment` while fewer than {@link TOOL_CALLS} tool results are in, then the answer. */
const benchModel = (request: StandInRequest): StandInReply => {
  const done = toolResults(request.body);
  return done < TOOL_CALLS ? { toolCalls: [{ name: 'increment', args: { n: done } }] } : { output: { n: TOOL_CALLS } };
};

/** The flock of one mode: a model agent with one trivial tool. */
function counterFlock(durability: 'step' | 'call'): Flock {
  const increment = defineTool({ name: 'increment', description: 'Adds one to n', input: 'n: integer', execute: ({ n }) => ({ n: (n as number) + 1 }) });
  return new Flock({
    name: `md-${durability}`,
    model: MODEL,
    agents: [
      defineAgent({
        name: 'counter',
        description: 'Counts with its tool',
        input: 'n: integer',
        output: 'n: integer',
        evaluator: modelEvaluator(),
        tools: [increment],
        temporalActivityConfig: { durability },
      }),
    ],
  });
}

/** The raw baselines' activities: model calls with plain `fetch`, the tool, and the loop of both in one. */
function rawActivities(): ModelDurabilityActivities {
  const chatCompletion = async (url: string, body: ChatBody): Promise<ChatMessage> => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`the stand-in answered ${response.status}: ${await response.text()}`);
    const answer = (await response.json()) as { choices: Array<{ message: ChatMessage }> };
    return answer.choices[0].message;
  };
  const increment = async ({ n }: { n: number }) => ({ n: n + 1 });
  return { chatCompletion, increment, toolLoop: (url, body) => runToolLoop(url, body, { complete: chatCompletion, increment }) };
}

/** What one run's history holds. */
interface HistoryFigures {
  events: number;
  /** ActivityTaskScheduled events. */
  activities: number;
  /** Their activity types, in order. */
  activityTypes: string[];
  /** Event types with their counts, in order of first appearance (`WorkflowTaskCompleted x3`). */
  eventTypes: string[];
  /** `historySizeBytes` of DescribeWorkflowExecution. */
  serverBytes: number;
  /** `temporal.api.history.v1.History` of the fetched history, protobuf-encoded. */
  encodedBytes: number;
  /** Encoded activity inputs and results (the conversation, in 'call' mode). */
  payloadBytes: number;
}

const payloadsBytes = (payloads: temporal.api.common.v1.IPayloads | null | undefined) => (payloads ? temporal.api.common.v1.Payloads.encode(payloads).finish().byteLength : 0);

/** `EVENT_TYPE_WORKFLOW_TASK_COMPLETED` -> `WorkflowTaskCompleted`, counted. */
function countEventTypes(events: temporal.api.history.v1.IHistoryEvent[]): string[] {
  const counts = new Map<string, number>();
  for (const event of events) {
    const name = (temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType))
      .replace(/^EVENT_TYPE_/, '')
      .toLowerCase()
      .replace(/(^|_)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, count]) => (count > 1 ? `${name} x${count}` : name));
}

async function historyFigures(client: Client, workflowId: string): Promise<HistoryFigures> {
  const handle = client.workflow.getHandle(workflowId);
  const [description, history] = await Promise.all([handle.describe(), handle.fetchHistory()]);
  const events = history.events ?? [];
  const scheduled = events.flatMap((event) => (event.activityTaskScheduledEventAttributes ? [event.activityTaskScheduledEventAttributes] : []));
  const results = events.flatMap((event) => (event.activityTaskCompletedEventAttributes ? [event.activityTaskCompletedEventAttributes.result] : []));
  return {
    events: events.length,
    activities: scheduled.length,
    activityTypes: scheduled.map((attributes) => attributes.activityType?.name ?? '?'),
    eventTypes: countEventTypes(events),
    serverBytes: Number(String(description.raw.workflowExecutionInfo?.historySizeBytes ?? NaN)),
    encodedBytes: temporal.api.history.v1.History.encode(history).finish().byteLength,
    payloadBytes: [...scheduled.map((attributes) => payloadsBytes(attributes.input)), ...results.map(payloadsBytes)].reduce((a, b) => a + b, 0),
  };
}

interface Mode {
  key: 'flock-step' | 'raw-step' | 'flock-call' | 'raw-call';
  label: string;
  /** One run, from the client's start to its result: its workflow id and output. */
  once(id: string): Promise<{ workflowId: string; output: unknown }>;
  ms: number[];
  histories: HistoryFigures[];
}

// -------------------------------------------------------------------- main

async function main(): Promise<void> {
  if (!Number.isInteger(runs) || runs < 1) {
    console.error('usage: model-durability.ts [runs >= 1]');
    process.exitCode = 2;
    return;
  }
  const began = Date.now();
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(0)} s`;
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const standIn: OpenAICompatibleStandIn = await startOpenAICompatibleStandIn();
  // read when a model call resolves its model: set before any run
  process.env['FLOCK_OPENAI_BASE_URL'] = standIn.baseUrl;
  let server: DevServer | undefined;
  const closers: Array<() => Promise<unknown>> = [];
  try {
    server = await startDevServer({
      namespace: 'default',
      headless: true,
      searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES },
      extraArgs: (process.env['BENCH_DEV_SERVER_ARGS'] ?? '').split(' ').filter(Boolean),
    });
    progress(`dev server ${server.address} (pid ${server.pid}), tuned; stand-in ${standIn.baseUrl}; ${quick ? 'quick mode' : 'full mode'}: ${runs} runs per mode`);

    // ---- workers and clients
    const rawConnection = await NativeConnection.connect({ address: server.address });
    closers.push(() => rawConnection.close());
    const rawWorker = await Worker.create({
      connection: rawConnection,
      namespace: server.namespace,
      taskQueue: QUEUES.raw,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: path.join(__dirname, 'fixtures/model-durability-workflows.ts'),
        webpackConfigHook: withSourceCondition,
        logger: new DefaultLogger('WARN'),
      }),
      activities: rawActivities(),
    });
    const rawRunning = rawWorker.run();
    closers.unshift(async () => {
      if (rawWorker.getState() === 'RUNNING') rawWorker.shutdown();
      await rawRunning;
    });
    const clientConnection = await Connection.connect({ address: server.address });
    closers.push(() => clientConnection.close());
    const rawClient = new Client({ connection: clientConnection, namespace: server.namespace });

    const flocks = { step: counterFlock('step'), call: counterFlock('call') };
    const resolved = resolveConnection({ serverUrl: server.address, namespace: server.namespace }, {});
    const flockWorker = await createFlockWorker({ connection: resolved, flocks: [flocks.step, flocks.call], taskQueue: QUEUES.flock });
    const flockRunning = flockWorker.run();
    closers.unshift(() => flockWorker.shutdown().then(() => flockRunning));
    await flockWorker.polling();
    const runsClient = await FlockRunsClient.connect(resolved);
    closers.push(() => runsClient.close());
    while (rawWorker.getState() !== 'RUNNING') await new Promise((resolve) => setTimeout(resolve, 5));
    progress(`workers polling (${elapsed()})`);

    /** Scripts the stand-in for one run, runs it, checks its output and that it made {@link MODEL_CALLS} model calls. */
    const scripted = async (what: string, run: () => Promise<{ workflowId: string; output: unknown }>) => {
      standIn.reply(...Array.from({ length: MODEL_CALLS }, () => benchModel));
      const before = standIn.requests.length;
      const done = await run();
      const n = (done.output as { n?: unknown } | undefined)?.n;
      if (n !== TOOL_CALLS) throw new Error(`${what} answered ${JSON.stringify(done.output)}, expected { n: ${TOOL_CALLS} }`);
      const calls = standIn.requests.length - before;
      if (calls !== MODEL_CALLS) throw new Error(`${what} made ${calls} model calls, expected ${MODEL_CALLS}`);
      return done;
    };
    const flockOnce = (flock: Flock) => async (id: string) => {
      const { workflowId } = await runsClient.start(flock, { startAgent: 'counter', input: { n: 0 }, runId: id, taskQueue: QUEUES.flock });
      return { workflowId, output: (await runsClient.result(workflowId)).output };
    };

    // ---- the raw baselines send the body of Flock's first model call (system prompt, inputs, tool, response format)
    const probeAt = standIn.requests.length;
    await scripted('probe run', () => flockOnce(flocks.call)(`md-probe-${began}`));
    const template = structuredClone(standIn.requests[probeAt].body) as ChatBody;
    delete template['stream'];
    delete template['stream_options'];
    if (template.messages.some((message) => message.role !== 'system' && message.role !== 'user')) {
      throw new Error(`Flock's first model call carried more than the prompt: ${template.messages.map((message) => message.role).join(', ')}`);
    }
    const url = `${standIn.baseUrl}/chat/completions`;
    const rawOnce = (workflowType: 'RawToolLoopInOneActivity' | 'RawToolLoopByCalls') => async (id: string) => {
      const handle = await rawClient.workflow.start(workflowType, { taskQueue: QUEUES.raw, workflowId: id, args: [url, template] });
      return { workflowId: id, output: await handle.result() };
    };

    const mode = (key: Mode['key'], label: string, once: Mode['once']): Mode => ({ key, label, once, ms: [], histories: [] });
    const modes: Mode[] = [
      mode('flock-step', "Flock, durability 'step'", flockOnce(flocks.step)),
      mode('raw-step', 'raw SDK, loop in one activity', rawOnce('RawToolLoopInOneActivity')),
      mode('flock-call', "Flock, durability 'call'", flockOnce(flocks.call)),
      mode('raw-call', 'raw SDK, one activity per call', rawOnce('RawToolLoopByCalls')),
    ];
    progress(`warm-up (${WARM_UP_ROUNDS} rounds), then ${runs} rounds of ${modes.length} modes`);
    for (let round = -WARM_UP_ROUNDS; round < runs; round++) {
      // alternate the order so drift on the machine hits every mode alike
      const order = round % 2 === 0 ? modes : [...modes].reverse();
      for (const m of order) {
        const id = `md-${m.key}-${began}-${round}`;
        const started = performance.now();
        const { workflowId } = await scripted(m.label, () => m.once(id));
        const ms = performance.now() - started;
        if (round < 0) continue;
        m.ms.push(ms);
        // after the clock stopped: reading history is no part of a run
        m.histories.push(await historyFigures(rawClient, workflowId));
      }
      if (round >= 0 && (round + 1) % 5 === 0) progress(`${round + 1}/${runs} rounds (${elapsed()})`);
    }

    // ---- report
    const by = Object.fromEntries(modes.map((m) => [m.key, m])) as Record<Mode['key'], Mode>;
    const p50 = (m: Mode) => percentile(m.ms, 50);
    const p90 = (m: Mode) => percentile(m.ms, 90);
    const figure = (m: Mode, field: Exclude<keyof HistoryFigures, 'activityTypes' | 'eventTypes'>) => median(m.histories.map((h) => h[field]));
    const spread = (m: Mode, field: 'serverBytes' | 'encodedBytes') => Math.max(...m.histories.map((h) => h[field])) - Math.min(...m.histories.map((h) => h[field]));
    const lines: string[] = [];
    const out = (line = '') => lines.push(line);
    const num = (value: number, width: number, digits = 0) => value.toFixed(digits).padStart(width);
    const ratio = (a: number, b: number) => (a / b).toFixed(3);
    const config = Object.entries(FAST_DEV_SERVER_CONFIG)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(', ');

    out(`One model agent step per run: ${MODEL_CALLS} model calls + ${TOOL_CALLS} tool calls (tool "increment"), model ${MODEL} = OpenAI-compatible stand-in`);
    out(`in this process over HTTP, instant replies. ${runs} runs per mode after ${WARM_UP_ROUNDS} warm-up round(s), interleaved (alternating order).`);
    out(`Dev server tuned (${config}); Flock: createFlockWorker defaults + FlockRunsClient;`);
    out(`raw: plain Worker + Client, default data converter, fetch to /v1/chat/completions with the body of Flock's first model call.`);
    out();
    out(`1. Latency per run (= per agent step), client start to result, ms`);
    out(`                                          p50       p90`);
    for (const m of modes) out(`   ${m.label.padEnd(34)} ${num(p50(m), 8, 1)}  ${num(p90(m), 8, 1)}`);
    out();
    out(`2. History per run (medians; spread = max - min over the ${runs} runs)`);
    out(`                                      activities  events  historySizeBytes (spread)  encoded history (spread)  activity payloads`);
    for (const m of modes) {
      out(
        `   ${m.label.padEnd(34)} ${num(figure(m, 'activities'), 6)}  ${num(figure(m, 'events'), 8)}  ${num(figure(m, 'serverBytes'), 10)} (${num(spread(m, 'serverBytes'), 5)})` +
          `         ${num(figure(m, 'encodedBytes'), 10)} (${num(spread(m, 'encodedBytes'), 5)})  ${num(figure(m, 'payloadBytes'), 12)}`,
      );
    }
    out(`   activity types of one run:`);
    for (const m of modes) out(`   ${m.label.padEnd(34)} ${m.histories[0].activityTypes.join(', ')}`);
    out(`   event types of one run:`);
    for (const m of modes) out(`   ${m.label.padEnd(34)} ${m.histories[0].eventTypes.join(', ')}`);
    out(`   historySizeBytes: DescribeWorkflowExecution.workflowExecutionInfo; encoded: temporal.api.history.v1.History of the fetched history;`);
    out(`   activity payloads: encoded inputs + results of the run's activities (in the two 'call' modes the conversation goes into every model call)`);
    out();
    out(`3. Ratios (p50 latency, median history bytes from historySizeBytes)`);
    out(`                                                   latency p50  latency p90  history bytes  events`);
    const ratioLine = (label: string, a: Mode, b: Mode) =>
      out(
        `   ${label.padEnd(48)} ${ratio(p50(a), p50(b)).padStart(10)}  ${ratio(p90(a), p90(b)).padStart(11)}  ${ratio(figure(a, 'serverBytes'), figure(b, 'serverBytes')).padStart(13)}  ${ratio(figure(a, 'events'), figure(b, 'events')).padStart(6)}`,
      );
    ratioLine("Flock 'step' / raw, loop in one activity", by['flock-step'], by['raw-step']);
    ratioLine("Flock 'call' / raw, one activity per call", by['flock-call'], by['raw-call']);
    ratioLine("Flock 'call' / Flock 'step'", by['flock-call'], by['flock-step']);
    ratioLine('raw by calls / raw in one activity', by['raw-call'], by['raw-step']);
    const perActivity = (call: Mode, step: Mode) => (p50(call) - p50(step)) / (figure(call, 'activities') - figure(step, 'activities'));
    out(
      `   p50 cost of each extra activity ('call' - 'step', divided by the extra activities): Flock ${perActivity(by['flock-call'], by['flock-step']).toFixed(1)} ms, ` +
        `raw ${perActivity(by['raw-call'], by['raw-step']).toFixed(1)} ms`,
    );

    const header = `Model agent durability benchmark${quick ? ' (BENCH_QUICK=1)' : ''}: 'step' vs 'call' against raw-SDK baselines, one tuned dev server; ${elapsed()}`;
    process.stdout.write(`${header}\n\n${lines.join('\n')}\n`);
  } finally {
    for (const close of closers) await close().catch((error: unknown) => progress(`closing: ${(error as Error)?.message ?? String(error)}`));
    await server?.stop();
    await standIn.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
