import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createOtlpTraceExporter } from './exporters';

describe('createOtlpTraceExporter', () => {
  it.each([
    ['http/json', JsonExporter],
    ['http/protobuf', ProtobufExporter],
    ['grpc', GrpcExporter],
  ] as const)('exports %s with its own exporter', async (protocol, type) => {
    const exporter = createOtlpTraceExporter(protocol, protocol === 'grpc' ? 'http://127.0.0.1:1' : 'http://127.0.0.1:1/v1/traces');
    expect(exporter).toBeInstanceOf(type);
    await exporter.shutdown();
  });

  it('posts http/protobuf spans to the url with OTEL_EXPORTER_OTLP_HEADERS', async () => {
    const received: Array<{ url: string | undefined; headers: IncomingHttpHeaders; body: Buffer }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const saved = process.env['OTEL_EXPORTER_OTLP_HEADERS'];
    // the exporter reads its headers from process.env when it is made
    process.env['OTEL_EXPORTER_OTLP_HEADERS'] = 'x-collector-token=t0k3n';
    try {
      const exporter = createOtlpTraceExporter('http/protobuf', `http://127.0.0.1:${(server.address() as AddressInfo).port}/custom/traces`);
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      provider.getTracer('exporters-spec').startSpan('proto-span-name').end();
      await provider.shutdown();
    } finally {
      if (saved === undefined) delete process.env['OTEL_EXPORTER_OTLP_HEADERS'];
      else process.env['OTEL_EXPORTER_OTLP_HEADERS'] = saved;
      await new Promise((resolve) => server.close(resolve));
    }
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request.url).toBe('/custom/traces');
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    expect(request.headers['x-collector-token']).toBe('t0k3n');
    // an ExportTraceServiceRequest: field 1 (resource_spans), length-delimited; strings travel as raw UTF-8
    expect(request.body[0]).toBe(0x0a);
    expect(request.body.includes(Buffer.from('proto-span-name'))).toBe(true);
  });
});
