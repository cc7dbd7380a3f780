import { context, propagation, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { currentTelemetry, setupTelemetry } from './setup-telemetry';

describe('setupTelemetry', () => {
  afterEach(async () => {
    await currentTelemetry()?.shutdown();
  });

  it('is a no-op without an OTLP endpoint: nothing registered, spans do not record', async () => {
    const telemetry = setupTelemetry({ env: {} });
    expect(telemetry.enabled).toBe(false);
    expect(telemetry.plan).toMatchObject({ kind: 'none' });
    expect(telemetry.tracerProvider).toBeUndefined();
    const span = trace.getTracer('t').startSpan('nothing');
    expect(span.isRecording()).toBe(false);
    span.end();
    await telemetry.shutdown();
  });

  it('gives a disabled setup its resource all the same (made when first asked for)', async () => {
    const telemetry = setupTelemetry({ serviceName: 'flock-test', env: {} });
    expect(telemetry.enabled).toBe(false);
    expect(telemetry.resource.attributes['service.name']).toBe('flock-test');
    expect(telemetry.resource).toBe(telemetry.resource);
    await telemetry.shutdown();
  });

  it('registers a global provider exporting to the given exporter, with the service name', async () => {
    const exporter = new InMemorySpanExporter();
    const telemetry = setupTelemetry({ serviceName: 'flock-test', exporter, processor: 'simple', env: {} });
    expect(telemetry.enabled).toBe(true);
    trace.getTracer('t').startActiveSpan('work', (span) => span.end());
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('work');
    expect(span.resource.attributes['service.name']).toBe('flock-test');
    expect(currentTelemetry()).toBe(telemetry);
  });

  it("lets OTEL_SERVICE_NAME override the caller's service name", async () => {
    const exporter = new InMemorySpanExporter();
    setupTelemetry({ serviceName: 'flock-test', exporter, processor: 'simple', env: { OTEL_SERVICE_NAME: 'from-env' } });
    trace.getTracer('t').startSpan('work').end();
    expect(exporter.getFinishedSpans()[0].resource.attributes['service.name']).toBe('from-env');
  });

  it('batches spans by default and exports them on forceFlush', async () => {
    const exporter = new InMemorySpanExporter();
    const telemetry = setupTelemetry({ exporter, env: {} });
    trace.getTracer('t').startSpan('batched').end();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await telemetry.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['batched']);
  });

  it('propagates W3C trace context once registered', () => {
    setupTelemetry({ exporter: new InMemorySpanExporter(), env: {} });
    const carrier: Record<string, string> = {};
    trace.getTracer('t').startActiveSpan('parent', (span) => {
      propagation.inject(context.active(), carrier);
      span.end();
    });
    expect(carrier['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('unregisters the global provider on shutdown, after exporting what is buffered', async () => {
    // the in-memory exporter forgets its spans on shutdown; this one keeps them
    const exported: ReadableSpan[] = [];
    const exporter: SpanExporter = {
      export: (spans, done) => {
        exported.push(...spans);
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: async () => undefined,
    };
    const telemetry = setupTelemetry({ exporter, env: {} });
    trace.getTracer('t').startSpan('last').end();
    await telemetry.shutdown();
    expect(exported.map((s) => s.name)).toEqual(['last']);
    expect(currentTelemetry()).toBeUndefined();
    const after = trace.getTracer('t').startSpan('after');
    expect(after.isRecording()).toBe(false);
  });

  it('replaces an earlier setup: spans go to the new exporter only', async () => {
    const first = new InMemorySpanExporter();
    const second = new InMemorySpanExporter();
    setupTelemetry({ exporter: first, processor: 'simple', env: {} });
    setupTelemetry({ exporter: second, processor: 'simple', env: {} });
    trace.getTracer('t').startSpan('new').end();
    expect(first.getFinishedSpans()).toHaveLength(0);
    expect(second.getFinishedSpans().map((s) => s.name)).toEqual(['new']);
  });

  it('fails on an unknown protocol before touching the current setup', () => {
    const kept = setupTelemetry({ exporter: new InMemorySpanExporter(), env: {} });
    expect(() => setupTelemetry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'udp' } })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_PROTOCOL' }),
    );
    expect(currentTelemetry()).toBe(kept);
  });
});
