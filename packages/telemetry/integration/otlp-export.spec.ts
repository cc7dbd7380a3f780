import * as grpc from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { setupTelemetry } from '../src';
import { startOtlpHttpReceiver, type OtlpHttpReceiver } from './otlp-receiver';

/** Runs `fn` with these variables in process.env, as a deployed process would see them. */
async function withProcessEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** A parent and a child span, as one trace. */
function emitSpans(): void {
  const tracer = trace.getTracer('otlp-test');
  tracer.startActiveSpan('parent-op', (parent) => {
    tracer.startActiveSpan('child-op', { attributes: { 'flock.agent': 'reader', 'flock.attempt': 2 } }, (child) => child.end());
    parent.end();
  });
}

describe('OTLP export to a real receiver', () => {
  let receiver: OtlpHttpReceiver;
  beforeEach(async () => {
    receiver = await startOtlpHttpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('exports over http/json to OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces, read from process.env by the exporter', async () => {
    await withProcessEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'otlp-json-test' }, async () => {
      const telemetry = setupTelemetry({ serviceName: 'overridden' });
      expect(telemetry.plan).toEqual({ kind: 'otlp', protocol: 'http/json', endpoint: `${receiver.endpoint}/v1/traces` });
      emitSpans();
      await telemetry.shutdown();
    });
    expect(receiver.received.map((r) => [r.path, r.contentType])).toEqual([['/v1/traces', 'application/json']]);
    const spans = receiver.jsonSpans();
    const parent = spans.find((s) => s.name === 'parent-op');
    const child = spans.find((s) => s.name === 'child-op');
    expect(parent).toMatchObject({ serviceName: 'otlp-json-test' });
    expect(child).toMatchObject({ traceId: parent?.traceId, parentSpanId: parent?.spanId, attributes: { 'flock.agent': 'reader', 'flock.attempt': 2 } });
  });

  it('exports over http/protobuf (the default protocol) as a non-empty protobuf POST', async () => {
    await withProcessEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.endpoint}/custom/traces` }, async () => {
      const telemetry = setupTelemetry({ serviceName: 'otlp-proto-test' });
      expect(telemetry.plan).toMatchObject({ kind: 'otlp', protocol: 'http/protobuf' });
      emitSpans();
      await telemetry.shutdown();
    });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request.path).toBe('/custom/traces');
    expect(request.contentType).toBe('application/x-protobuf');
    // protobuf keeps strings as raw UTF-8: the span and service names are in the body
    expect(request.body.includes(Buffer.from('child-op'))).toBe(true);
    expect(request.body.includes(Buffer.from('otlp-proto-test'))).toBe(true);
  });

  it('takes the endpoint from an explicit env too', async () => {
    const telemetry = setupTelemetry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
    emitSpans();
    await telemetry.shutdown();
    expect(
      receiver
        .jsonSpans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['child-op', 'parent-op']);
  });
});

describe('OTLP export over gRPC', () => {
  it('calls TraceService/Export on OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const bodies: Buffer[] = [];
    const server = new grpc.Server();
    const raw = (value: Buffer) => value;
    server.addService(
      {
        Export: {
          path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          requestStream: false,
          responseStream: false,
          requestSerialize: raw,
          requestDeserialize: raw,
          responseSerialize: raw,
          responseDeserialize: raw,
        },
      },
      {
        Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
          bodies.push(call.request);
          // an empty ExportTraceServiceResponse
          callback(null, Buffer.alloc(0));
        },
      },
    );
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    try {
      await withProcessEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, async () => {
        const telemetry = setupTelemetry({ serviceName: 'otlp-grpc-test' });
        emitSpans();
        await telemetry.shutdown();
      });
    } finally {
      server.forceShutdown();
    }
    expect(bodies).toHaveLength(1);
    expect(bodies[0].includes(Buffer.from('parent-op'))).toBe(true);
    expect(bodies[0].includes(Buffer.from('otlp-grpc-test'))).toBe(true);
  });
});
