import { defineAgent, defineTool, Flock } from '@flock-ts/core';
import { modelEvaluator } from '@flock-ts/llm';
import { createFakeModel } from '@flock-ts/llm/testing';
import { setupTelemetry, type FlockTelemetry } from '@flock-ts/telemetry';
import { InMemorySpanExporter, type ReadableSpan } from '@flock-ts/telemetry/testing';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { resolveConnection } from '../src/lib/connection';
import { FlockRunsClient } from '../src/lib/runs-client';
import { createFlockWorker } from '../src/lib/worker-factory';
import { eventually, rejection, temporalConfigFor, testServer, uniqueQueue } from './harness';
import { temporal } from '../src';

// One trace per run, on a real server: the caller's span -> StartWorkflow
// (client interceptor) -> RunWorkflow and StartActivity (workflow
// interceptors, in the bundle, exported through the worker's sink) ->
// RunActivity (activity interceptor) -> flock.agent.evaluate -> flock.tool.call.

const wordCount = defineTool({
  name: 'wordCount',
  input: 'text: string',
  execute: ({ text }) => String(text).split(/\s+/).filter(Boolean).length,
});
const fail = defineTool({
  name: 'explode',
  input: '',
  execute: () => {
    throw new Error('tool blew up');
  },
});

function tracedFlock(name: string, taskQueue: string) {
  return new Flock({
    name,
    executor: temporal(),
    temporalStartInProcessWorker: true,
    temporalConfig: temporalConfigFor(taskQueue, { activityDefaults: { retryMaxAttempts: 1 } }),
    tools: [wordCount, fail],
    agents: [
      defineAgent({
        name: 'counter',
        input: 'text: string',
        output: 'words: integer',
        tools: ['wordCount'],
        evaluate: async ({ text }, ctx) => ({ words: (await ctx.callTool('wordCount', { text })) as number }),
        components: [{ name: 'meter', onTerminate: (ctx) => ctx.metric('words_seen', 3, { kind: 'counter' }) }],
        next: 'reporter',
      }),
      defineAgent({ name: 'reporter', input: 'words: integer', output: 'line: string', evaluate: ({ words }) => ({ line: `${String(words)} words` }) }),
      defineAgent({ name: 'breaker', input: '', output: '', tools: ['explode'], evaluate: async (_inputs, ctx) => (await ctx.callTool('explode'), {}) }),
    ],
  });
}

let telemetry: FlockTelemetry;
let exporter: InMemorySpanExporter;

beforeAll(() => {
  exporter = new InMemorySpanExporter();
  telemetry = setupTelemetry({ serviceName: 'flock-tracing-test', exporter, processor: 'simple' });
});
afterAll(async () => {
  await telemetry.shutdown();
});

/** The spans of one trace, once the workflow's own spans (sent through the worker's sink) are in. */
async function traceOf(traceId: string, minSpans: number): Promise<ReadableSpan[]> {
  return eventually(async () => {
    const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    return spans.length >= minSpans && spans.some((s) => s.name.startsWith('RunWorkflow:')) ? spans : undefined;
  });
}

/** The span, failing the test when the run produced none. */
function found(span: ReadableSpan | undefined, what: string): ReadableSpan {
  if (!span) throw new Error(`no ${what} span`);
  return span;
}

function parentOf(span: ReadableSpan, spans: ReadableSpan[]): ReadableSpan | undefined {
  return spans.find((candidate) => candidate.spanContext().spanId === span.parentSpanId);
}

/** Names from a span up to the root. */
function ancestry(span: ReadableSpan, spans: ReadableSpan[]): string[] {
  const names: string[] = [];
  for (let at: ReadableSpan | undefined = span; at; at = parentOf(at, spans)) names.push(at.name);
  return names;
}

describe('one trace per run on a real server', () => {
  it('links flock.run -> StartWorkflow -> RunWorkflow -> StartActivity -> RunActivity -> flock.agent.evaluate -> flock.tool.call', async () => {
    const flock = tracedFlock('traced-flock', uniqueQueue('trace'));
    const result = await flock.run({ startAgent: 'counter', input: { text: 'one two three' }, sessionId: 'trace-session' });
    expect(result.output).toEqual({ line: '3 words' });

    const root = found(
      exporter.getFinishedSpans().find((s) => s.name === 'flock.run' && s.attributes['temporal.workflow_id'] === result.temporal.workflowId),
      'flock.run',
    );
    expect(root.parentSpanId).toBeUndefined();
    expect(root.attributes).toMatchObject({ 'flock.name': 'traced-flock', 'flock.start_agent': 'counter', 'flock.session_id': 'trace-session' });
    const spans = await traceOf(root.spanContext().traceId, 9);

    const tool = found(
      spans.find((s) => s.name === 'flock.tool.call'),
      'flock.tool.call',
    );
    expect(ancestry(tool, spans)).toEqual([
      'flock.tool.call',
      'flock.agent.evaluate',
      'RunActivity:runAgentStep',
      'StartActivity:runAgentStep',
      expect.stringMatching(/^RunWorkflow:/),
      expect.stringMatching(/^StartWorkflow:/),
      'flock.run',
    ]);
    expect(tool.attributes).toMatchObject({ 'flock.tool.name': 'wordCount', 'flock.agent': 'counter', 'flock.name': 'traced-flock' });

    const evaluations = spans.filter((s) => s.name === 'flock.agent.evaluate');
    expect(evaluations.map((s) => s.attributes['flock.agent']).sort()).toEqual(['counter', 'reporter']);
    const counter = evaluations.find((s) => s.attributes['flock.agent'] === 'counter');
    expect(counter?.attributes).toMatchObject({
      'flock.name': 'traced-flock',
      'flock.run_id': result.runId,
      'temporal.workflow_id': result.temporal.workflowId,
      'temporal.attempt': 1,
      'flock.evaluator': 'code',
      'flock.metric.words_seen': 3,
    });
    // every span of the run is one service's, from the resource the worker was given
    expect(new Set(spans.map((s) => s.resource.attributes['service.name']))).toEqual(new Set(['flock-tracing-test']));
  }, 90_000);

  it("continues the starter's trace when runs start through FlockRunsClient", async () => {
    const taskQueue = uniqueQueue('trace-client');
    const flock = tracedFlock('traced-client-flock', taskQueue);
    const connection = resolveConnection({ serverUrl: testServer().address, namespace: testServer().namespace });
    const worker = await createFlockWorker({ connection, flocks: [flock], taskQueue });
    const running = worker.run();
    const runs = await FlockRunsClient.connect(connection);
    let traceId = '';
    try {
      await worker.polling();
      await trace.getTracer('starter').startActiveSpan('starter call', async (span) => {
        traceId = span.spanContext().traceId;
        const started = await runs.start(flock, { startAgent: 'counter', input: { text: 'a b' } });
        await runs.result(started.workflowId);
        span.end();
      });
    } finally {
      await runs.close();
      await worker.shutdown();
      await running;
    }
    const spans = await traceOf(traceId, 9);
    const activity = found(
      spans.find((s) => s.name === 'RunActivity:runAgentStep'),
      'RunActivity',
    );
    expect(ancestry(activity, spans).slice(-3)).toEqual([expect.stringMatching(/^RunWorkflow:/), expect.stringMatching(/^StartWorkflow:/), 'starter call']);
  }, 90_000);

  it('marks the failing tool and its agent step as errors in the trace', async () => {
    const flock = tracedFlock('traced-failure', uniqueQueue('trace-fail'));
    const error = await rejection(flock.run({ startAgent: 'breaker', input: {} }));
    expect(error.name).toBe('FlockRunFailedError');
    const root = found(
      exporter.getFinishedSpans().find((s) => s.name === 'flock.run' && s.attributes['flock.name'] === 'traced-failure'),
      'flock.run',
    );
    expect(root.status.code).toBe(SpanStatusCode.ERROR);
    const spans = await traceOf(root.spanContext().traceId, 6);
    const tool = found(
      spans.find((s) => s.name === 'flock.tool.call'),
      'flock.tool.call',
    );
    expect(tool.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('tool blew up') });
    expect(parentOf(tool, spans)?.status.code).toBe(SpanStatusCode.ERROR);
  }, 90_000);

  it('puts the model call and the tool calls it makes under the agent step, without prompts or answers', async () => {
    const model = createFakeModel({
      responses: [
        { toolCalls: [{ name: 'wordCount', args: { text: 'private prompt words' } }], usage: { inputTokens: 12, outputTokens: 3 } },
        { output: { words: 3 }, usage: { inputTokens: 20, outputTokens: 4 } },
      ],
    });
    const flock = new Flock({
      name: 'traced-model',
      executor: temporal(),
      temporalStartInProcessWorker: true,
      temporalConfig: temporalConfigFor(uniqueQueue('trace-model'), { activityDefaults: { retryMaxAttempts: 1 } }),
      tools: [wordCount],
      agents: [defineAgent({ name: 'counter', input: 'text: string', output: 'words: integer', tools: ['wordCount'], evaluator: modelEvaluator({ model, maxToolCalls: 2 }) })],
    });
    const result = await flock.run({ startAgent: 'counter', input: { text: 'private prompt words' } });
    expect(result.output).toEqual({ words: 3 });
    const root = found(
      exporter.getFinishedSpans().find((s) => s.name === 'flock.run' && s.attributes['flock.name'] === 'traced-model'),
      'flock.run',
    );
    const spans = await traceOf(root.spanContext().traceId, 10);
    const tool = found(
      spans.find((s) => s.name === 'flock.tool.call'),
      'flock.tool.call',
    );
    const chain = ancestry(tool, spans);
    expect(chain.slice(0, 2)).toEqual(['flock.tool.call', 'ai.toolCall']);
    // a step on Temporal streams the model's text to the run's followers (heartbeat details), so the call is streamText
    expect(chain).toContain('ai.streamText');
    expect(chain.indexOf('flock.agent.evaluate')).toBeGreaterThan(chain.indexOf('ai.streamText'));
    const evaluate = found(
      spans.find((s) => s.name === 'flock.agent.evaluate'),
      'flock.agent.evaluate',
    );
    expect(evaluate.attributes).toMatchObject({ 'flock.evaluator': 'model', 'gen_ai.usage.input_tokens': 32, 'gen_ai.usage.output_tokens': 7 });
    // the model's spans carry ids and token counts, never the prompt or the answer
    const text = JSON.stringify(spans.map((s) => ({ attributes: s.attributes, events: s.events })));
    expect(text).not.toContain('private prompt words');
  }, 90_000);

  it("with durability 'call', traces each model call and tool call as its own activity span of the step, with the model call's tokens", async () => {
    const model = createFakeModel({
      responses: [
        { toolCalls: [{ name: 'wordCount', args: { text: 'private prompt words' } }], usage: { inputTokens: 12, outputTokens: 3 } },
        { output: { words: 3 }, usage: { inputTokens: 20, outputTokens: 4 } },
      ],
    });
    const flock = new Flock({
      name: 'traced-calls',
      executor: temporal(),
      temporalStartInProcessWorker: true,
      temporalConfig: temporalConfigFor(uniqueQueue('trace-calls'), { activityDefaults: { retryMaxAttempts: 1, durability: 'call' } }),
      tools: [wordCount],
      agents: [defineAgent({ name: 'counter', input: 'text: string', output: 'words: integer', tools: ['wordCount'], evaluator: modelEvaluator({ model, maxToolCalls: 2 }) })],
    });
    const result = await flock.run({ startAgent: 'counter', input: { text: 'private prompt words' } });
    expect(result.usage).toMatchObject({ inputTokens: 32, outputTokens: 7, modelCalls: 2 });
    const root = found(
      exporter.getFinishedSpans().find((s) => s.name === 'flock.run' && s.attributes['flock.name'] === 'traced-calls'),
      'flock.run',
    );
    const spans = await traceOf(root.spanContext().traceId, 10);
    const modelCalls = spans.filter((s) => s.name === 'flock.agent.model_call');
    expect(modelCalls.map((s) => [s.attributes['flock.step'], s.attributes['gen_ai.usage.input_tokens']])).toEqual([
      [0, 12],
      [0, 20],
    ]);
    const tool = found(
      spans.find((s) => s.name === 'flock.tool.call'),
      'flock.tool.call',
    );
    const chain = ancestry(tool, spans);
    expect(chain.slice(0, 3)).toEqual(['flock.tool.call', 'flock.agent.tool_call', expect.stringMatching(/^RunActivity:callAgentTool/)]);
    expect(chain).toContainEqual(expect.stringMatching(/^RunWorkflow:/));
    const text = JSON.stringify(spans.map((s) => ({ attributes: s.attributes, events: s.events })));
    expect(text).not.toContain('private prompt words');
  }, 90_000);
});
