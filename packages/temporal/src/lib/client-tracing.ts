import { SpanKind } from '@opentelemetry/api';
import { withSpan } from '@flock-ts/telemetry';
import type { ClientInterceptors } from '@temporalio/client';
import type { FlockWorkflowStart } from './run-start';

// The interceptor package's entry point also loads its workflow half, and with
// it the OpenTelemetry trace SDK; a client needs only the client half, loaded
// when first used.
type ClientInterceptorModule = typeof import('@temporalio/interceptors-opentelemetry/lib/client');
const clientInterceptors = () => require('@temporalio/interceptors-opentelemetry/lib/client') as ClientInterceptorModule;

// One trace per run: the client span of the start (starter's call) carries
// its context in the workflow headers; the worker side (see worker-tracing)
// goes on from there.

/** Client interceptors that open a span per start/signal/query and pass its context to the workflow. */
export function flockClientInterceptors(): ClientInterceptors {
  return { workflow: [new (clientInterceptors().OpenTelemetryWorkflowClientInterceptor)()] };
}

/**
 * Runs `fn` in a `flock.run` span (the root of a run's trace when the
 * caller has none), so the start, the status queries and the result wait
 * of one run share one trace.
 */
export async function traceFlockRun<T>(start: Pick<FlockWorkflowStart, 'workflowId' | 'runId' | 'options'>, fn: () => Promise<T>): Promise<T> {
  const input = start.options.args[0];
  const attributes = {
    'flock.name': input.definition.name,
    'flock.start_agent': input.startAgent,
    'flock.run_id': start.runId,
    'temporal.workflow_id': start.workflowId,
    'temporal.task_queue': start.options.taskQueue,
    ...(input.sessionId ? { 'flock.session_id': input.sessionId } : {}),
  };
  return withSpan('flock.run', fn, { tracer: '@flock-ts/temporal', kind: SpanKind.CLIENT, attributes });
}
