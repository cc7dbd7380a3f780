import { Flock, defineAgent, type MetricReport, type StepRequest } from '@flock-ts/core';
import type { LogLevel, LogMetadata, Logger, MetricMeter, MetricTags } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createFlockActivities } from './flock-activities';
import { evaluatorAttributes, metricAttributes, observeStepMetrics } from './step-observer';

/** A metric meter that remembers what was recorded. */
function recordingMeter() {
  const recorded: Array<{ kind: string; name: string; value: number; tags: MetricTags; unit?: string }> = [];
  const instrument = (kind: string, name: string, unit?: string) => {
    const write = (value: number, tags: MetricTags = {}) => void recorded.push({ kind, name, value, tags, ...(unit ? { unit } : {}) });
    return { name, unit, kind, valueType: 'float', add: write, record: write, set: write, withTags: () => instrument(kind, name, unit) };
  };
  const meter = {
    createCounter: (name: string, unit?: string) => instrument('counter', name, unit),
    createHistogram: (name: string, _type?: string, unit?: string) => instrument('histogram', name, unit),
    createGauge: (name: string, _type?: string, unit?: string) => instrument('gauge', name, unit),
    withTags: () => meter,
  } as unknown as MetricMeter;
  return { meter, recorded };
}

const report = (over: Partial<MetricReport>): MetricReport => ({ name: 'docs', value: 1, kind: 'counter', agent: 'reader', ...over });

describe('observeStepMetrics', () => {
  it('sums counters, keeps the last histogram and gauge values', () => {
    const { sink, values } = observeStepMetrics(undefined, 'f');
    sink(report({ name: 'docs', value: 2 }));
    sink(report({ name: 'docs', value: 3 }));
    sink(report({ name: 'latency', value: 5, kind: 'histogram' }));
    sink(report({ name: 'latency', value: 7, kind: 'histogram' }));
    sink(report({ name: 'depth', value: 4, kind: 'gauge' }));
    expect(values).toEqual({ docs: 5, latency: 7, depth: 4 });
  });

  it('records each report in the meter as flock_<name>, tagged with flock, agent and its attributes (secrets redacted)', () => {
    const { meter, recorded } = recordingMeter();
    const { sink } = observeStepMetrics(meter, 'docs-flock');
    sink(report({ name: 'docs_read', value: 2, unit: '{document}', attributes: { source: 'disk', apiKey: 'k-1' } }));
    sink(report({ name: 'latency_ms', value: 1.5, kind: 'histogram' }));
    sink(report({ name: 'queue_depth', value: 9, kind: 'gauge' }));
    expect(recorded).toEqual([
      { kind: 'counter', name: 'flock_docs_read', value: 2, unit: '{document}', tags: { flock_name: 'docs-flock', agent: 'reader', source: 'disk', apiKey: '[redacted]' } },
      { kind: 'histogram', name: 'flock_latency_ms', value: 1.5, tags: { flock_name: 'docs-flock', agent: 'reader' } },
      { kind: 'gauge', name: 'flock_queue_depth', value: 9, tags: { flock_name: 'docs-flock', agent: 'reader' } },
    ]);
  });

  it('never fails the step when the meter throws', () => {
    const errors: unknown[] = [];
    const meter = {
      createCounter: () => {
        throw new Error('native meter gone');
      },
    } as unknown as MetricMeter;
    const { sink, values } = observeStepMetrics(meter, 'f', (error) => errors.push(error));
    expect(() => sink(report({ value: 1 }))).not.toThrow();
    expect(values).toEqual({ docs: 1 });
    expect(errors).toHaveLength(1);
  });
});

describe('span attribute helpers', () => {
  it('name metrics flock.metric.<name>', () => {
    expect(metricAttributes({ docs: 3 })).toEqual({ 'flock.metric.docs': 3 });
  });

  it('name the evaluator kind, and the model of a model evaluator (falling back to the flock model)', () => {
    const code = defineAgent({ name: 'code', input: '', output: '', evaluate: () => ({}) });
    const model = defineAgent({ name: 'model', input: '', output: '', evaluator: { spec: { kind: 'model' }, evaluate: async () => ({ output: {} }) } });
    const flock = new Flock({ name: 'f', model: 'openai:gpt-4o-mini', agents: [code, model] });
    expect(evaluatorAttributes(flock, 'code')).toEqual({ 'flock.evaluator': 'code' });
    expect(evaluatorAttributes(flock, 'model')).toEqual({ 'flock.evaluator': 'model', 'flock.model': 'openai:gpt-4o-mini', 'gen_ai.request.model': 'openai:gpt-4o-mini' });
  });

  it('name nothing for an agent the flock lacks (the step refuses it as drift)', () => {
    const flock = new Flock({ name: 'f', agents: [defineAgent({ name: 'code', input: '', output: '', evaluate: () => ({}) })] });
    expect(evaluatorAttributes(flock, 'gone')).toEqual({});
  });
});

describe('runAgentStep logs', () => {
  it("logs the step with its index, then the completed step with the components' custom metrics, through the activity logger", async () => {
    const records: Array<{ level: LogLevel; message: string; meta?: LogMetadata }> = [];
    const logger: Logger = {
      log: (level, message, meta) => void records.push({ level, message, meta }),
      trace: (message, meta) => void records.push({ level: 'TRACE', message, meta }),
      debug: (message, meta) => void records.push({ level: 'DEBUG', message, meta }),
      info: (message, meta) => void records.push({ level: 'INFO', message, meta }),
      warn: (message, meta) => void records.push({ level: 'WARN', message, meta }),
      error: (message, meta) => void records.push({ level: 'ERROR', message, meta }),
    };
    const { meter, recorded } = recordingMeter();
    const flock = new Flock({
      name: 'logged',
      agents: [
        defineAgent({
          name: 'reader',
          input: '',
          output: 'n: integer',
          evaluate: (_inputs, ctx) => (ctx.metric('docs_read', 4, { kind: 'counter' }), { n: 4 }),
        }),
      ],
    });
    const request: StepRequest = { flockName: 'logged', agent: 'reader', runId: 'r1', step: 7, inputs: {}, variables: {}, fingerprint: flock.stepFingerprint('reader') };
    const env = new MockActivityEnvironment({ attempt: 2, activityType: 'runAgentStep' }, { logger, metricMeter: meter });
    await env.run(createFlockActivities({ flocks: [flock] }).runAgentStep, request);
    const evaluating = records.find((r) => r.message === 'Evaluating agent');
    expect(evaluating?.meta).toMatchObject({ agent: 'reader', runId: 'r1', step: 7, attempt: 2 });
    const completed = records.find((r) => r.message === 'Agent step completed');
    expect(completed?.meta).toMatchObject({ agent: 'reader', metrics: { docs_read: 4 }, durationMs: expect.any(Number), attempt: 2, activityType: 'runAgentStep' });
    expect(recorded.map((r) => [r.name, r.value])).toEqual([['flock_docs_read', 4]]);
  });
});
