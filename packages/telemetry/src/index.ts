export * from './lib/errors';
export * from './lib/otel-env';
export * from './lib/exporters';
export * from './lib/setup-telemetry';
export * from './lib/logger';
export { formatPrettyLine } from './lib/pretty';
export * from './lib/temporal-logger';
export * from './lib/span-attributes';
export * from './lib/with-span';
// for tests: setupTelemetry({ exporter: new InMemorySpanExporter(), processor: 'simple' })
export { InMemorySpanExporter } from './lib/in-memory-exporter';
export type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
