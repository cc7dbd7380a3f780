import type { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpProtocol } from './otel-env';

// The exporter packages (and the OTLP transformer with its protobuf code) load
// when an exporter is made, not with this module: only processes that export
// traces pay for them.

/**
 * OTLP/HTTP with protobuf bodies, the specification's default protocol.
 * The OTel 0.57 line ships it as its own package (exporter-trace-otlp-proto);
 * the pieces it is made of (the HTTP delegate, which reads the same
 * `OTEL_EXPORTER_OTLP_*` variables as the JSON exporter, and the protobuf
 * serializer) are already here, so it is assembled from them: an
 * `OTLPExporterBase` on that delegate, which this exporter hands every call.
 */
export class OtlpProtobufTraceExporter implements SpanExporter {
  private readonly exporter: OTLPExporterBase<ReadableSpan[]>;

  constructor(config: { url?: string } = {}) {
    const base = require('@opentelemetry/otlp-exporter-base') as typeof import('@opentelemetry/otlp-exporter-base');
    const http = require('@opentelemetry/otlp-exporter-base/node-http') as typeof import('@opentelemetry/otlp-exporter-base/node-http');
    const { ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
    this.exporter = new base.OTLPExporterBase(
      http.createOtlpHttpExportDelegate(
        http.convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        ProtobufTraceSerializer,
      ),
    );
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter.export(spans, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}

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
    case 'http/protobuf':
      return new OtlpProtobufTraceExporter(config);
  }
}
