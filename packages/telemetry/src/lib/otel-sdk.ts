// The OpenTelemetry SDK modules (resources, trace SDK, exporters), loaded on
// first use: a process that exports no traces (no OTLP endpoint, the usual
// `flock-worker`) never loads them. `@opentelemetry/api`, small and needed
// by every span call, stays a static import where it is used.

type Resources = typeof import('@opentelemetry/resources');
type TraceBase = typeof import('@opentelemetry/sdk-trace-base');
type TraceNode = typeof import('@opentelemetry/sdk-trace-node');
type SemanticConventions = typeof import('@opentelemetry/semantic-conventions');

/** `@opentelemetry/resources`, loaded when a resource is first asked for. */
export function loadResources(): Resources {
  return require('@opentelemetry/resources') as Resources;
}

/** `@opentelemetry/sdk-trace-base` (processors, exporters for tests and the console). */
export function loadTraceBase(): TraceBase {
  return require('@opentelemetry/sdk-trace-base') as TraceBase;
}

/** `@opentelemetry/sdk-trace-node` (the tracer provider with the async-hooks context manager). */
export function loadTraceNode(): TraceNode {
  return require('@opentelemetry/sdk-trace-node') as TraceNode;
}

/** `@opentelemetry/semantic-conventions` (attribute names). */
export function loadSemanticConventions(): SemanticConventions {
  return require('@opentelemetry/semantic-conventions') as SemanticConventions;
}
