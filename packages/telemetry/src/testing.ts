/**
 * Test aids: spans kept in memory instead of exported.
 *
 * @example
 * const exporter = new InMemorySpanExporter();
 * setupTelemetry({ exporter, processor: 'simple' });
 * // ... exporter.getFinishedSpans()
 */
export { InMemorySpanExporter } from './lib/in-memory-exporter';
export type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
