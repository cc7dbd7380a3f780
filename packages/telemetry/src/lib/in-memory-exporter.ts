import type { ExportResult } from '@opentelemetry/core';
import type { InMemorySpanExporter as OtelInMemorySpanExporter, ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { loadTraceBase } from './otel-sdk';

/**
 * OpenTelemetry's `InMemorySpanExporter`, for tests: keeps the exported
 * spans in memory (`getFinishedSpans()`, `reset()`; forgotten on
 * `shutdown()`). It hands every call to the SDK's exporter, which loads
 * with the first instance, so importing this package loads no trace SDK.
 *
 * @example
 * const exporter = new InMemorySpanExporter();
 * setupTelemetry({ exporter, processor: 'simple' });
 * // ... exporter.getFinishedSpans()
 */
export class InMemorySpanExporter implements SpanExporter {
  private readonly spans: OtelInMemorySpanExporter = new (loadTraceBase().InMemorySpanExporter)();

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.spans.export(spans, resultCallback);
  }

  shutdown(): Promise<void> {
    return this.spans.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.spans.forceFlush();
  }

  /** Forgets the spans exported so far. */
  reset(): void {
    this.spans.reset();
  }

  /** The spans exported so far, oldest first. */
  getFinishedSpans(): ReadableSpan[] {
    return this.spans.getFinishedSpans();
  }
}
