/**
 * Observability of real processes on the Temporal dev server: flock-worker
 * with --metrics-port and --log-format json, flockctl starting the run,
 * both exporting traces over OTLP/HTTP (JSON) to a receiver this test starts.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { runSource, spawnSource, stopChild, eventually, testServer, type ChildHandle } from '@flock-ts/tools';
import { startOtlpJsonReceiver, type OtlpJsonReceiver, type ReceivedSpan } from './support/otlp-receiver';

const WORKER = 'apps/worker/src/main.ts';
const STARTER = 'apps/starter/src/main.ts';
const FIXTURE = 'apps/worker/integration/fixtures/observed-flock.ts';

jest.setTimeout(120_000);

const suffix = randomUUID().slice(0, 8);
const flockName = `observed-it-${suffix}`;
const taskQueue = `observed-it-${suffix}`;
const server = testServer();

let receiver: OtlpJsonReceiver;
let worker: ChildHandle;
let metricsUrl: string;
let workflowId: string;

/** A port nothing listens on right now (the worker binds it moments later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The worker's JSON log records so far (lines that are not JSON are skipped). */
function workerRecords(): Array<Record<string, unknown>> {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(async () => {
  receiver = await startOtlpJsonReceiver();
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const otel = {
    FLOCK_IT_FLOCK_NAME: flockName,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    // export batches quickly, so the test need not wait for the default 5 s
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
  worker = spawnSource(
    WORKER,
    [
      '--server',
      server.address,
      '--namespace',
      server.namespace,
      '--task-queue',
      taskQueue,
      '--flock',
      FIXTURE,
      '--metrics-port',
      `127.0.0.1:${metricsPort}`,
      '--log-format',
      'json',
      '--log-level',
      'info',
    ],
    otel,
  );
  await worker.waitForOutput(/polling task queue\(s\) /);

  const started = await runSource(
    STARTER,
    [
      'run',
      '--flock',
      FIXTURE,
      '--agent',
      'counter',
      '--input',
      '{"text":"one two three four"}',
      '--server',
      server.address,
      '--namespace',
      server.namespace,
      '--task-queue',
      taskQueue,
      '--session',
      `observed-${suffix}`,
      '--wait',
      '--json',
    ],
    otel,
  );
  expect({ code: started.code, stderr: started.stderr }).toEqual({ code: 0, stderr: '' });
  const summary = JSON.parse(started.stdout) as { workflowId: string; result: { output: Record<string, unknown> } };
  expect(summary.result.output).toEqual({ line: '4 words' });
  workflowId = summary.workflowId;
});

afterAll(async () => {
  if (worker) await stopChild(worker);
  await receiver?.close();
});

describe('flock-worker logs (--log-format json)', () => {
  it('writes every record as one JSON object with a level, a time and the worker name', () => {
    const polling = workerRecords().find((r) => String(r['msg']).startsWith('polling task queue(s)'));
    expect(polling).toMatchObject({ level: 'info', name: 'flock-worker', time: expect.any(String) });
  });

  it("logs each agent step with activity type, attempt, workflow id, trace id and the components' custom metrics", async () => {
    const completed = await eventually(async () => workerRecords().find((r) => r['msg'] === 'Agent step completed' && r['agent'] === 'counter' && r['workflowId'] === workflowId));
    expect(completed).toMatchObject({
      level: 'info',
      activityType: 'runAgentStep',
      attempt: 1,
      workflowId,
      workflowType: 'FlockWorkflowV2',
      taskQueue,
      metrics: { words_seen: 4 },
      durationMs: expect.any(Number),
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });
});

describe('flock-worker metrics (--metrics-port)', () => {
  it("serves the Temporal SDK's metrics and the custom agent metrics in Prometheus text format", async () => {
    const text = await eventually(async () => {
      const body = await (await fetch(metricsUrl)).text();
      return /flock_words_seen/.test(body) ? body : undefined;
    });
    expect(text).toMatch(/^temporal_\w+/m);
    expect(text).toMatch(/^temporal_activity_execution_latency\w*\{[^}]*activity_type="runAgentStep"/m);
    const words = text.split('\n').find((line) => /flock_words_seen\w*\{/.test(line) && line.includes(`flock_name="${flockName}"`));
    expect(words).toMatch(/agent="counter"/);
    expect(words).toMatch(/ 4$/);
  });
});

describe('traces over OTLP/HTTP', () => {
  /** Spans of the run's trace, once the worker's side (tool call included) has arrived. */
  async function runTrace(): Promise<ReceivedSpan[]> {
    return eventually(async () => {
      const start = receiver.spans().find((s) => s.name.startsWith('StartWorkflow:') && s.attributes['temporalWorkflowId'] === workflowId);
      if (!start) return undefined;
      const spans = receiver.spans().filter((s) => s.traceId === start.traceId);
      return spans.some((s) => s.name === 'flock.tool.call') && spans.filter((s) => s.name === 'flock.agent.evaluate').length === 2 ? spans : undefined;
    });
  }

  it("connects flockctl's call, the workflow and the worker's agent steps and tool calls in one trace", async () => {
    const spans = await runTrace();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const chain = (span: ReceivedSpan) => {
      const names: string[] = [];
      for (let at: ReceivedSpan | undefined = span; at; at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined) {
        names.push(`${at.serviceName}/${at.name}`);
      }
      return names;
    };
    const tool = spans.find((s) => s.name === 'flock.tool.call');
    expect(tool && chain(tool)).toEqual([
      'flock-worker/flock.tool.call',
      'flock-worker/flock.agent.evaluate',
      'flock-worker/RunActivity:runAgentStep',
      'flock-worker/StartActivity:runAgentStep',
      expect.stringMatching(/^flock-worker\/RunWorkflow:/),
      expect.stringMatching(/^flockctl\/StartWorkflow:/),
      'flockctl/flockctl run',
    ]);
    const evaluate = spans.find((s) => s.name === 'flock.agent.evaluate' && s.attributes['flock.agent'] === 'counter');
    expect(evaluate?.attributes).toMatchObject({
      'flock.name': flockName,
      'temporal.workflow_id': workflowId,
      'temporal.attempt': 1,
      'flock.metric.words_seen': 4,
    });
  });
});
