import { nextStep, startRun, type StepRequest } from '@flock-ts/engine';
import { defineAgent } from './agent';
import { AgentContext } from './context';
import { executeStep } from './execute-step';
import { Flock } from './flock';
import { toMetricReport, type MetricReport } from './metric';

const agent = defineAgent({
  name: 'reader',
  input: '',
  output: 'n: integer',
  evaluate: (_inputs, ctx) => {
    ctx.metric('documents_read', 3, { kind: 'counter', unit: '{document}', attributes: { source: 'disk' } });
    return { n: 3 };
  },
  components: [{ name: 'timer', onTerminate: (ctx) => ctx.metric('step_ms', 12.5) }],
});
const flock = new Flock({ name: 'metrics', agents: [agent] });
const plan = flock.runPlan();
const request = nextStep(plan, startRun(plan, { startAgent: 'reader', input: {}, runId: 'run-1' })) as StepRequest;

describe('toMetricReport', () => {
  it('defaults to a histogram and names the agent', () => {
    expect(toMetricReport('reader', 'latency_ms', 4.2)).toEqual({ name: 'latency_ms', value: 4.2, kind: 'histogram', agent: 'reader' });
  });

  it.each([
    ['a name Prometheus cannot take', 'docs.read', 1, {}],
    ['a value that is not finite', 'docs', Number.NaN, {}],
    ['a negative counter', 'docs', -1, { kind: 'counter' as const }],
    ['a fractional counter', 'docs', 1.5, { kind: 'counter' as const }],
    ['an unknown kind', 'docs', 1, { kind: 'summary' as never }],
  ])('rejects %s with InvalidMetricError', (_what, name, value, options) => {
    expect(() => toMetricReport('reader', name, value, options)).toThrow(expect.objectContaining({ name: 'InvalidMetricError', code: 'INVALID_METRIC', metric: name }));
  });
});

describe('ctx.metric', () => {
  it("hands evaluator and component reports of a step to the step's metric sink", async () => {
    const reports: MetricReport[] = [];
    await executeStep(flock, request, { metric: (report) => reports.push(report) });
    expect(reports).toEqual([
      { name: 'documents_read', value: 3, kind: 'counter', unit: '{document}', attributes: { source: 'disk' }, agent: 'reader' },
      { name: 'step_ms', value: 12.5, kind: 'histogram', agent: 'reader' },
    ]);
  });

  it('validates even without a sink, so a bad metric fails locally as it would on a worker', () => {
    const ctx = new AgentContext({ flock, agent: flock.agent('reader'), view: { runId: 'run-1', flockName: 'metrics', step: 0, variables: {} } });
    expect(() => ctx.metric('ok_metric', 1)).not.toThrow();
    expect(() => ctx.metric('bad metric', 1)).toThrow(expect.objectContaining({ name: 'InvalidMetricError' }));
  });
});
