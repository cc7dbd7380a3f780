import { currentTelemetryOrNoop, type FlockTelemetry } from '@flock-ts/telemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';

// The interceptor package's entry point also loads its workflow half, and with
// it the OpenTelemetry trace SDK; a worker needs only the worker half, loaded
// here when first used.
type WorkerInterceptors = typeof import('@temporalio/interceptors-opentelemetry/lib/worker');
let workerModule: WorkerInterceptors | undefined;
const workerInterceptors = () => (workerModule ??= require('@temporalio/interceptors-opentelemetry/lib/worker') as WorkerInterceptors);

// The client span of a run's start carries its context in the workflow
// headers; the workflow interceptors (in the bundle) make RunWorkflow/StartActivity
// spans inside the sandbox and pass the context to activities; the activity
// interceptor opens RunActivity, the parent of our `flock.agent.evaluate`.
// Without telemetry set up every one of these is a no-op.

/**
 * Workflow interceptor modules of a Flock workflow bundle (a prebuilt bundle
 * cannot take them later): the OpenTelemetry ones, which make the workflow
 * spans, unless `tracing` is `false` (the lean bundle of workers whose
 * spans go nowhere).
 *
 * @example
 * bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: flockWorkflowInterceptorModules({ tracing: false }) });
 */
export function flockWorkflowInterceptorModules(options: { tracing?: boolean } = {}): string[] {
  if (options.tracing === false) return [];
  return [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];
}

/**
 * The `exporter` sink the workflow interceptors of a traced Flock bundle
 * call; replay workers and hand-made workers on the Flock bundle need it too
 * (the SDK logs an error for each call to a missing sink). A lean bundle
 * (`tracing: false`) never calls it: giving it anyway is harmless.
 *
 * @example
 * await Worker.runReplayHistory({ workflowBundle, sinks: flockWorkflowSinks() }, history);
 */
export function flockWorkflowSinks(telemetry: FlockTelemetry = currentTelemetryOrNoop()): InjectedSinks<OpenTelemetrySinks> {
  // made at the first span: a worker without telemetry then never builds the resource (nor loads the SDK for it)
  let exporter: InjectedSinks<OpenTelemetrySinks>['exporter'] | undefined;
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          exporter ??= workerInterceptors().makeWorkflowExporter(telemetry.spanProcessor, telemetry.resource);
          exporter.export.fn(info, spans);
        },
      },
    },
  };
}

/**
 * Worker options for tracing: the activity interceptors and the `exporter`
 * sink through which workflow spans leave the sandbox, to the span
 * processor of `telemetry` (default: what `setupTelemetry` set up; none:
 * the spans are dropped). Options given by the caller are merged in, theirs
 * last.
 *
 * @example
 * Worker.create({ ...options, ...withFlockTracing(options) });
 */
export function withFlockTracing(
  extra: Pick<Partial<WorkerOptions>, 'interceptors' | 'sinks'> = {},
  telemetry: FlockTelemetry = currentTelemetryOrNoop(),
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  return {
    interceptors: {
      ...extra.interceptors,
      activity: [
        (ctx) => {
          const { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } = workerInterceptors();
          return { inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) };
        },
        ...(extra.interceptors?.activity ?? []),
      ],
    },
    sinks: { ...flockWorkflowSinks(telemetry), ...extra.sinks },
  };
}
