import { InvalidMetricError } from './errors';

/** How a reported value aggregates: summed (`counter`), distributed (`histogram`) or last-value (`gauge`). */
export type MetricKind = 'counter' | 'histogram' | 'gauge';

/** Options of `ctx.metric()`. */
export interface MetricOptions {
  /** Default `histogram`: every value counts, its sum and distribution are kept. */
  kind?: MetricKind;
  /** A unit such as `ms`, `By` or `{document}`. */
  unit?: string;
  /** Low-cardinality labels (model name, tool name); never user text. */
  attributes?: Record<string, string | number | boolean>;
}

/** One value an agent component (or evaluator, or tool) reported during a step. */
export interface MetricReport {
  name: string;
  value: number;
  kind: MetricKind;
  unit?: string;
  attributes?: Record<string, string | number | boolean>;
  /** The agent whose step reported it. */
  agent: string;
}

/** Receives the metrics of a step: the Temporal activity logs and records them; locally they go nowhere unless given. */
export type MetricSink = (report: MetricReport) => void;

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/;
const KINDS: readonly MetricKind[] = ['counter', 'histogram', 'gauge'];

/**
 * Validates a metric report: names are `[a-zA-Z_][a-zA-Z0-9_]*` (they become
 * Prometheus metric names), values finite numbers, counter values whole and
 * never negative.
 * Throws {@link InvalidMetricError}.
 *
 * @example
 * toMetricReport('reader', 'documents_read', 12, { kind: 'counter' })
 * // => { name: 'documents_read', value: 12, kind: 'counter', agent: 'reader' }
 */
export function toMetricReport(agent: string, name: string, value: number, options: MetricOptions = {}): MetricReport {
  const kind = options.kind ?? 'histogram';
  if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw new InvalidMetricError(String(name), 'the name must match [a-zA-Z_][a-zA-Z0-9_]* (at most 100 characters)');
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidMetricError(name, `the value must be a finite number (got ${String(value)})`);
  if (!KINDS.includes(kind)) throw new InvalidMetricError(name, `the kind must be counter, histogram or gauge (got ${String(kind)})`);
  if (kind === 'counter' && (value < 0 || !Number.isInteger(value))) {
    throw new InvalidMetricError(name, `a counter adds whole numbers of zero or more (got ${value})`);
  }
  return {
    name,
    value,
    kind,
    ...(options.unit ? { unit: options.unit } : {}),
    ...(options.attributes && Object.keys(options.attributes).length ? { attributes: { ...options.attributes } } : {}),
    agent,
  };
}
