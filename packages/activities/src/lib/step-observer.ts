import type { Flock, MetricReport, MetricSink } from '@flock-ts/core';
import { stripSecrets } from '@flock-ts/serialization';
import type { Attributes, Span } from '@opentelemetry/api';
import type { MetricMeter, MetricTags } from '@temporalio/common';

/** What one agent step reported through `ctx.metric()`, ready for its log line and span. */
export interface StepMetrics {
  /** Per metric name: counters summed, histograms and gauges their last value. */
  values: Record<string, number>;
  sink: MetricSink;
}

/**
 * Collects the custom metrics of one step and records each report in the
 * worker's metrics (Temporal's metric meter: the runtime's Prometheus or
 * OTel exporter) as `flock_<name>`, tagged with flock, agent and the
 * report's attributes (secrets redacted). Recording never fails the step.
 */
export function observeStepMetrics(meter: MetricMeter | undefined, flockName: string, onRecordError?: (error: unknown) => void): StepMetrics {
  const values: Record<string, number> = {};
  const sink: MetricSink = (report) => {
    values[report.name] = report.kind === 'counter' ? (values[report.name] ?? 0) + report.value : report.value;
    if (!meter) return;
    try {
      record(meter, report, { flock_name: flockName, agent: report.agent, ...tagsOf(report) });
    } catch (error) {
      onRecordError?.(error);
    }
  };
  return { values, sink };
}

function record(meter: MetricMeter, report: MetricReport, tags: MetricTags): void {
  const name = `flock_${report.name}`;
  switch (report.kind) {
    case 'counter':
      meter.createCounter(name, report.unit).add(report.value, tags);
      return;
    case 'gauge':
      meter.createGauge(name, 'float', report.unit).set(report.value, tags);
      return;
    case 'histogram':
      meter.createHistogram(name, 'float', report.unit).record(report.value, tags);
  }
}

function tagsOf(report: MetricReport): MetricTags {
  return report.attributes ? (stripSecrets(report.attributes, { secretKeys: 'redact' }) as MetricTags) : {};
}

/** The step's metrics as span attributes (`flock.metric.<name>`). */
export function metricAttributes(values: Record<string, number>): Attributes {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [`flock.metric.${name}`, value]));
}

/**
 * Span attributes of what evaluated the step: evaluator kind and, for
 * model evaluators, the model id (GenAI semantic conventions' `gen_ai.request.model` too).
 * None for an agent the flock does not have.
 */
export function evaluatorAttributes(flock: Flock, agentName: string): Attributes {
  // an agent this flock lacks is the step's to refuse (DefinitionDriftError), not the span's
  if (!flock.hasAgent(agentName)) return {};
  const spec = flock.agent(agentName).evaluator.spec;
  if (spec.kind !== 'model') return { 'flock.evaluator': spec.kind };
  const model = spec.model ?? flock.model;
  return { 'flock.evaluator': 'model', ...(model ? { 'flock.model': model, 'gen_ai.request.model': model } : {}) };
}

/** Token usage as span attributes, ours and the GenAI conventions'. */
export function usageAttributes(span: Span, usage: { inputTokens: number; outputTokens: number; totalTokens: number } | undefined): void {
  if (!usage) return;
  span.setAttributes({
    'flock.usage.input_tokens': usage.inputTokens,
    'flock.usage.output_tokens': usage.outputTokens,
    'flock.usage.total_tokens': usage.totalTokens,
    'gen_ai.usage.input_tokens': usage.inputTokens,
    'gen_ai.usage.output_tokens': usage.outputTokens,
  });
}
