import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from './in-memory-exporter';
import { currentTelemetry, setupTelemetry } from './setup-telemetry';

describe('InMemorySpanExporter', () => {
  afterEach(async () => {
    await currentTelemetry()?.shutdown();
  });

  it('keeps the spans it exports until reset or shutdown', async () => {
    const exporter = new InMemorySpanExporter();
    setupTelemetry({ exporter, processor: 'simple', env: {} });
    trace.getTracer('t').startSpan('first').end();
    trace.getTracer('t').startSpan('second').end();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['first', 'second']);
    exporter.reset();
    expect(exporter.getFinishedSpans()).toEqual([]);
    trace.getTracer('t').startSpan('third').end();
    await exporter.forceFlush();
    await exporter.shutdown();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('refuses spans once shut down', async () => {
    const exporter = new InMemorySpanExporter();
    await exporter.shutdown();
    const result = await new Promise<ExportResult>((resolve) => exporter.export([], resolve));
    expect(result.code).toBe(ExportResultCode.FAILED);
  });
});
