import { defaultPayloadConverter, type Payload, type PayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import * as path from 'node:path';

import { SUPERJSON_META_KEY, payloadConverter } from '../src/lib/payload-converter';

// Proves the converter works where it matters most: bundled by Temporal's
// workflow bundler (which rejects Node built-ins) and run in the V8 sandbox.
// A replay needs no server: the history below is a workflow's first task,
// which started one timer.

const payloadConverterPath = path.resolve(__dirname, '../src/lib/payload-converter.ts');
const workflowsPath = path.resolve(__dirname, 'fixtures/rich-probe-workflow.ts');

const input = {
  at: new Date(Date.UTC(2024, 0, 2)),
  byName: new Map([['a', 1n]]),
  ids: new Set(['x']),
  url: new URL('https://example.com/docs'),
  missing: undefined,
};

// Built with the proto classes, so the payload bytes go in as they are
// (a JSON history would need them base64-encoded).
function firstTaskHistory(payload: Payload): temporal.api.history.v1.History {
  const time = { seconds: Date.UTC(2024, 0, 2) / 1000, nanos: 0 };
  const taskQueue = { name: 'probe', kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL };
  const runId = '4f4c4f43-4b00-4000-8000-000000000001';
  return temporal.api.history.v1.History.fromObject({
    events: [
      {
        eventId: 1,
        eventTime: time,
        eventType: temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        workflowExecutionStartedEventAttributes: {
          workflowType: { name: 'richProbe' },
          taskQueue,
          input: { payloads: [payload] },
          workflowTaskTimeout: { seconds: 10 },
          originalExecutionRunId: runId,
          firstExecutionRunId: runId,
          identity: 'serialization-test',
          attempt: 1,
        },
      },
      {
        eventId: 2,
        eventTime: time,
        eventType: temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
        workflowTaskScheduledEventAttributes: { taskQueue, startToCloseTimeout: { seconds: 10 }, attempt: 1 },
      },
      {
        eventId: 3,
        eventTime: time,
        eventType: temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        workflowTaskStartedEventAttributes: { scheduledEventId: 2, identity: 'serialization-test', requestId: 'r-1' },
      },
      {
        eventId: 4,
        eventTime: time,
        eventType: temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3, identity: 'serialization-test' },
      },
      {
        eventId: 5,
        eventTime: time,
        eventType: temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED,
        timerStartedEventAttributes: { timerId: '1', startToFireTimeout: { seconds: 1 }, workflowTaskCompletedEventId: 4 },
      },
    ],
  });
}

async function replay(bundle: WorkflowBundleWithSourceMap, converter: PayloadConverter): Promise<void> {
  const history = firstTaskHistory(converter.toPayload(input));
  await Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: { payloadConverterPath } }, history, 'probe-1');
}

describe('payload converter inside the Temporal workflow sandbox', () => {
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    // The negative test makes core log the expected nondeterminism as a warning.
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
    bundle = await bundleWorkflowCode({ workflowsPath, payloadConverterPath, logger: new DefaultLogger('WARN') });
  }, 120_000);

  it('bundles with Temporal workflow bundler', () => {
    expect(bundle.code).toContain(SUPERJSON_META_KEY);
  });

  it('decodes and re-encodes Dates, Maps, Sets, BigInts and URLs in the sandbox', async () => {
    await expect(replay(bundle, payloadConverter)).resolves.toBeUndefined();
  }, 60_000);

  it('fails the probe when the input lost its rich types (the test can fail)', async () => {
    const plainJson: PayloadConverter = {
      toPayload: (value) => defaultPayloadConverter.toPayload(JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v)))),
      fromPayload: (payload) => defaultPayloadConverter.fromPayload(payload),
    };
    await expect(replay(bundle, plainJson)).rejects.toMatchObject({ name: 'DeterminismViolationError' });
  }, 60_000);
});
