import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { createOtlpTraceExporter, OtlpProtobufTraceExporter } from './exporters';

describe('createOtlpTraceExporter', () => {
  it.each([
    ['http/json', JsonExporter],
    ['http/protobuf', OtlpProtobufTraceExporter],
    ['grpc', GrpcExporter],
  ] as const)('exports %s with its own exporter', async (protocol, type) => {
    const exporter = createOtlpTraceExporter(protocol, protocol === 'grpc' ? 'http://127.0.0.1:1' : 'http://127.0.0.1:1/v1/traces');
    expect(exporter).toBeInstanceOf(type);
    await exporter.shutdown();
  });
});
