import { tracesEndpoint, tracesExportPlan } from './otel-env';

describe('tracesExportPlan', () => {
  it('exports nothing when no endpoint is set', () => {
    expect(tracesExportPlan({})).toEqual({ kind: 'none', reason: expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT') });
  });

  it('exports OTLP over http/protobuf (the default protocol) when the endpoint is set', () => {
    expect(tracesExportPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({
      kind: 'otlp',
      protocol: 'http/protobuf',
      endpoint: 'http://collector:4318/v1/traces',
    });
  });

  it('takes the traces endpoint and protocol over the generic ones', () => {
    const plan = tracesExportPlan({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/v1/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    });
    expect(plan).toEqual({ kind: 'otlp', protocol: 'http/json', endpoint: 'http://tempo:4318/v1/traces' });
  });

  it('keeps a gRPC endpoint as it is', () => {
    expect(tracesExportPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toEqual({
      kind: 'otlp',
      protocol: 'grpc',
      endpoint: 'http://collector:4317',
    });
  });

  it('exports to the default endpoint when OTEL_TRACES_EXPORTER=otlp asks for it explicitly', () => {
    expect(tracesExportPlan({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual({ kind: 'otlp', protocol: 'http/protobuf', endpoint: 'http://localhost:4318/v1/traces' });
  });

  it('is switched off by OTEL_TRACES_EXPORTER=none and OTEL_SDK_DISABLED=true, whatever the endpoint', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracesExportPlan({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toMatchObject({ kind: 'none', reason: 'OTEL_TRACES_EXPORTER=none' });
    expect(tracesExportPlan({ ...endpoint, OTEL_SDK_DISABLED: 'TRUE' })).toMatchObject({ kind: 'none', reason: 'OTEL_SDK_DISABLED=true' });
  });

  it('writes spans to the console for OTEL_TRACES_EXPORTER=console', () => {
    expect(tracesExportPlan({ OTEL_TRACES_EXPORTER: 'console' })).toEqual({ kind: 'console' });
  });

  it('rejects protocols and exporters it cannot honour, naming the variable', () => {
    expect(() => tracesExportPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' })).toThrow(
      expect.objectContaining({ name: 'TelemetryConfigError', code: 'UNKNOWN_PROTOCOL', setting: 'OTEL_EXPORTER_OTLP_PROTOCOL' }),
    );
    expect(() => tracesExportPlan({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(
      expect.objectContaining({ name: 'TelemetryConfigError', code: 'UNKNOWN_EXPORTER', setting: 'OTEL_TRACES_EXPORTER' }),
    );
  });
});

describe('tracesEndpoint', () => {
  it('is undefined without an endpoint variable', () => {
    expect(tracesEndpoint({}, 'http/json')).toBeUndefined();
  });
});
