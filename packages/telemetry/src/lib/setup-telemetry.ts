import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { stripSecrets } from '@flock-ts/serialization';
import { createOtlpTraceExporter } from './exporters';
import { loadResources, loadSemanticConventions, loadTraceBase, loadTraceNode } from './otel-sdk';
import { tracesEndpoint, tracesExportPlan, type TracesExportPlan } from './otel-env';

/** Options of {@link setupTelemetry}. */
export interface TelemetryOptions {
  /** `service.name` unless `OTEL_SERVICE_NAME` (or `OTEL_RESOURCE_ATTRIBUTES`) says otherwise. */
  serviceName?: string;
  /**
   * Where the `OTEL_*` variables are read (default `process.env`). The OTel
   * packages read their own details (headers, timeout, compression, TLS,
   * `OTEL_RESOURCE_ATTRIBUTES`, batch settings) from `process.env`; from
   * another `env` only the decision, the protocol, the endpoint and
   * `OTEL_SERVICE_NAME` are taken over.
   */
  env?: Record<string, string | undefined>;
  /**
   * Export to this exporter whatever the environment says (tests: an
   * `InMemorySpanExporter` from `@flock-ts/telemetry/testing`).
   */
  exporter?: SpanExporter;
  /** `batch` (default) or `simple` (every span exported as it ends: tests, short CLIs). */
  processor?: 'batch' | 'simple';
  /** Extra resource attributes (the environment's win). */
  resourceAttributes?: Record<string, string>;
}

/** What {@link setupTelemetry} set up. */
export interface FlockTelemetry {
  /** True when spans are exported somewhere. */
  readonly enabled: boolean;
  /** How spans leave the process, or why they do not. */
  readonly plan: TracesExportPlan | { kind: 'custom' };
  /** The registered provider; undefined when disabled. */
  readonly tracerProvider: NodeTracerProvider | undefined;
  /**
   * Where finished spans go. Temporal workflow spans are made inside the
   * workflow sandbox and handed to this processor by the worker.
   */
  readonly spanProcessor: SpanProcessor;
  /** The resource spans carry; when disabled, made on first access (no SDK loaded before). */
  readonly resource: Resource;
  tracer(name?: string): Tracer;
  /** Exports what is buffered. */
  forceFlush(): Promise<void>;
  /** Exports what is buffered, then unregisters the global provider, context manager and propagator. */
  shutdown(): Promise<void>;
}

let current: FlockTelemetry | undefined;

/**
 * Sets up OpenTelemetry tracing from the standard `OTEL_*` environment
 * variables: a `NodeTracerProvider` with a batch span processor and an OTLP
 * exporter (`OTEL_EXPORTER_OTLP_PROTOCOL` = `http/protobuf` (default),
 * `http/json` or `grpc`), registered globally with the async-hooks context
 * manager and W3C trace-context propagation. Without an OTLP endpoint (or
 * with `OTEL_TRACES_EXPORTER=none`) nothing is registered, every span is
 * a no-op and the OpenTelemetry SDK is not even loaded (only
 * `@opentelemetry/api`). A second call shuts the first setup down.
 *
 * @example
 * const telemetry = setupTelemetry({ serviceName: 'flock-worker' });
 * try {
 *   await runWorker();
 * } finally {
 *   await telemetry.shutdown();
 * }
 */
export function setupTelemetry(options: TelemetryOptions = {}): FlockTelemetry {
  const env = options.env ?? process.env;
  let plan: FlockTelemetry['plan'];
  let exporter: SpanExporter;
  if (options.exporter) {
    plan = { kind: 'custom' };
    exporter = options.exporter;
  } else {
    const fromEnv = tracesExportPlan(env);
    if (fromEnv.kind === 'none') {
      replaceCurrent();
      // no SDK loaded: the resource is made (and the resources package loaded) only if someone asks for it
      return (current = disabledTelemetry(fromEnv, () => telemetryResource(options, env)));
    }
    plan = fromEnv;
    exporter = exporterFor(fromEnv, env);
  }
  const resource = telemetryResource(options, env);
  replaceCurrent();
  const { BatchSpanProcessor, SimpleSpanProcessor } = loadTraceBase();
  const spanProcessor = options.processor === 'simple' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const tracerProvider = new (loadTraceNode().NodeTracerProvider)({ resource, spanProcessors: [spanProcessor] });
  tracerProvider.register();
  let stopped: Promise<void> | undefined;
  const telemetry: FlockTelemetry = {
    enabled: true,
    plan,
    tracerProvider,
    spanProcessor,
    resource: tracerProvider.resource,
    tracer: (name = '@flock-ts/telemetry') => tracerProvider.getTracer(name),
    forceFlush: () => tracerProvider.forceFlush(),
    shutdown: () =>
      (stopped ??= (async () => {
        const registered = current === telemetry;
        if (registered) current = undefined;
        try {
          await tracerProvider.shutdown();
        } finally {
          if (registered) unregisterGlobals();
        }
      })()),
  };
  current = telemetry;
  return telemetry;
}

/**
 * The telemetry {@link setupTelemetry} set up last in this process (and has
 * not been shut down), if any: workers hand their workflow spans to it.
 */
export function currentTelemetry(): FlockTelemetry | undefined {
  return current;
}

/** A new setup replaces the current one: its globals go now, its buffered spans are still exported. */
function replaceCurrent(): void {
  const previous = current;
  if (!previous) return;
  current = undefined;
  if (previous.enabled) {
    unregisterGlobals();
    void previous.shutdown().catch(() => undefined);
  }
}

function unregisterGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}

/**
 * {@link currentTelemetry}, or a disabled stand-in (no-op processor) when
 * nothing is set up: for code that hands spans on whether or not they are exported.
 *
 * @example
 * makeWorkflowExporter(currentTelemetryOrNoop().spanProcessor, currentTelemetryOrNoop().resource);
 */
export function currentTelemetryOrNoop(): FlockTelemetry {
  return current ?? disabledTelemetry({ kind: 'none', reason: 'setupTelemetry was not called' }, () => loadResources().Resource.empty());
}

function exporterFor(plan: Exclude<TracesExportPlan, { kind: 'none' }>, env: Record<string, string | undefined>): SpanExporter {
  if (plan.kind === 'console') return new (loadTraceBase().ConsoleSpanExporter)();
  // the exporters read process.env themselves; another environment only lends its endpoint
  const url = env === process.env ? undefined : tracesEndpoint(env, plan.protocol);
  return createOtlpTraceExporter(plan.protocol, url);
}

function telemetryResource(options: TelemetryOptions, env: Record<string, string | undefined>): Resource {
  const { Resource, detectResourcesSync, envDetectorSync, hostDetectorSync, processDetectorSync } = loadResources();
  const { ATTR_SERVICE_NAME } = loadSemanticConventions();
  const detected = detectResourcesSync({ detectors: [envDetectorSync, processDetectorSync, hostDetectorSync] });
  const fromOptions = new Resource({
    ...(options.resourceAttributes ?? {}),
    ...(options.serviceName ? { [ATTR_SERVICE_NAME]: options.serviceName } : {}),
  });
  // precedence: SDK defaults < options < environment (an operator's word wins)
  // command lines and host names are user data: no credential leaves in them
  const safeDetected = new Resource(stripSecrets({ ...detected.attributes }, { secretKeys: 'redact' }));
  let resource = Resource.default().merge(fromOptions).merge(safeDetected);
  const serviceName = env === process.env ? undefined : env['OTEL_SERVICE_NAME']?.trim();
  if (serviceName) resource = resource.merge(new Resource({ [ATTR_SERVICE_NAME]: serviceName }));
  return resource;
}

/** A span processor that drops every span (what the SDK's `NoopSpanProcessor` does, without loading the SDK). */
const NOOP_SPAN_PROCESSOR: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

function disabledTelemetry(plan: TracesExportPlan, makeResource: () => Resource): FlockTelemetry {
  let resource: Resource | undefined;
  const disabled: FlockTelemetry = {
    enabled: false,
    plan,
    tracerProvider: undefined,
    spanProcessor: NOOP_SPAN_PROCESSOR,
    get resource() {
      return (resource ??= makeResource());
    },
    tracer: (name = '@flock-ts/telemetry') => trace.getTracer(name),
    forceFlush: async () => undefined,
    shutdown: async () => {
      if (current === disabled) current = undefined;
    },
  };
  return disabled;
}
