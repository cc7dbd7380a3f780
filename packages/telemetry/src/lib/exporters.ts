import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpProtocol } from './otel-env';

// The exporter packages (and the OTLP transformer with its protobuf code) load
// when an exporter is made, not with this module: only processes that export
// traces pay for them.

/**
 * The OTLP span exporter for a protocol. Endpoint, headers, timeout,
 * compression and certificates come from the `OTEL_EXPORTER_OTLP_*`
 * variables, read by the exporters themselves; `url` overrides the endpoint.
 *
 * @example
 * const exporter = createOtlpTraceExporter('http/json', 'http://127.0.0.1:4318/v1/traces');
 */
export function createOtlpTraceExporter(protocol: OtlpProtocol, url?: string): SpanExporter {
  const config = url ? { url } : {};
  switch (protocol) {
    case 'grpc': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-grpc') as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      return new OTLPTraceExporter(config);
    }
    case 'http/json': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter(config);
    }
    case 'http/protobuf': {
      const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter(config);
    }
  }
}
