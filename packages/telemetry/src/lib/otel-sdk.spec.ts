// What importing the package and a disabled setup load: no OpenTelemetry SDK
// module (a worker that exports no traces starts without them).

/** The SDK's packages this one depends on; `@opentelemetry/api` is not one of them. */
const SDK_PACKAGES = [
  '@opentelemetry/core',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/exporter-trace-otlp-grpc',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/semantic-conventions',
];

/** Runs `fn` on a fresh copy of the package, recording which SDK packages it loads (they load as empty stand-ins). */
function sdkPackagesLoadedBy(fn: (telemetry: typeof import('../index')) => void): string[] {
  const loaded: string[] = [];
  jest.isolateModules(() => {
    for (const name of SDK_PACKAGES) {
      jest.doMock(name, () => {
        loaded.push(name);
        return {};
      });
    }
    try {
      fn(require('../index') as typeof import('../index'));
    } finally {
      for (const name of SDK_PACKAGES) jest.dontMock(name);
    }
  });
  return loaded;
}

describe('OpenTelemetry SDK loading', () => {
  it('loads none of the SDK with the package, a disabled setup, its no-op spans and processor, and logging', () => {
    const loaded = sdkPackagesLoadedBy((telemetry) => {
      const disabled = telemetry.setupTelemetry({ serviceName: 'flock-worker', env: {} });
      expect(disabled.enabled).toBe(false);
      disabled.tracer().startSpan('nothing').end();
      disabled.spanProcessor.onEnd({} as never);
      const noop = telemetry.currentTelemetryOrNoop();
      void noop.forceFlush();
      telemetry.createLogger({ destination: { write: () => undefined } }).info('hello');
      void disabled.shutdown();
    });
    expect(loaded).toEqual([]);
  });

  it('loads it when traces are exported', () => {
    // the stand-ins cannot make an exporter: the setup fails, after asking for the SDK
    const loaded = sdkPackagesLoadedBy((telemetry) => {
      expect(() => telemetry.setupTelemetry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1' } })).toThrow();
    });
    expect(loaded).toContain('@opentelemetry/exporter-trace-otlp-proto');
  });
});
