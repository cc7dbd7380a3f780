import { OTLPTraceExporter as OtlpGrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpProtocol } from './otel-env';

/**
 * OTLP/HTTP with protobuf bodies, the specification's default protocol.
 * The OTel 0.57 line ships it as its own package (exporter-trace-otlp-proto);
 * the pieces it is made of (the HTTP delegate, which reads the same
 * `OTEL_EXPORTER_OTLP_*` variables as the JSON exporter, and the protobuf
 * serializer) are already here, so it is assembled from them.
 */
export class OtlpProtobufTraceExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(config: { url?: string } = {}) {
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        ProtobufTraceSerializer,
      ),
    );
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
    case 'grpc':
      return new OtlpGrpcTraceExporter(config);
    case 'http/json':
      return new OtlpJsonTraceExporter(config);
    case 'http/protobuf':
      return new OtlpProtobufTraceExporter(config);
  }
}
