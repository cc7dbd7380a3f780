import { currentTelemetry } from '@flock-ts/telemetry';
import type { RuntimeOptions } from '@temporalio/worker';
import { installWorkerObservability } from './observability';

function install(options: Parameters<typeof installWorkerObservability>[0] = {}) {
  const installed: RuntimeOptions[] = [];
  const lines: string[] = [];
  const observability = installWorkerObservability({
    env: {},
    destination: { write: (line) => lines.push(line) },
    installRuntime: ((runtimeOptions: RuntimeOptions) => installed.push(runtimeOptions)) as never,
    ...options,
  });
  return { observability, runtime: installed[0], lines };
}

describe('installWorkerObservability', () => {
  afterEach(async () => {
    await currentTelemetry()?.shutdown();
  });

  it("installs Temporal's runtime with our logger and Core's logs forwarded to it", () => {
    const { runtime, lines } = install({ logFormat: 'json' });
    expect(runtime.telemetryOptions?.logging).toMatchObject({ forward: {}, filter: expect.stringContaining('temporalio_sdk_core=WARN') });
    expect(runtime.telemetryOptions).not.toHaveProperty('metrics');
    runtime.logger?.info('Activity completed', { activityType: 'evaluateAgent', attempt: 3, workflowId: 'wf-1' });
    expect(JSON.parse(lines[0])).toMatchObject({ name: 'flock-worker', msg: 'Activity completed', activityType: 'evaluateAgent', attempt: 3, workflowId: 'wf-1' });
  });

  it('serves Prometheus metrics on the bind address of --metrics-port', () => {
    const { runtime, observability } = install({ metricsBindAddress: '0.0.0.0:9464' });
    expect(runtime.telemetryOptions?.metrics).toEqual({ prometheus: { bindAddress: '0.0.0.0:9464' } });
    expect(observability.describe()).toContain('metrics: http://0.0.0.0:9464/metrics');
  });

  it('honours the log level for our lines and the SDK records alike, and lets Core log in detail from debug on', () => {
    const { observability, runtime, lines } = install({ logLevel: 'debug', logFormat: 'pretty' });
    observability.log('polling');
    runtime.logger?.debug('Worker state changed', { state: 'RUNNING' });
    runtime.logger?.trace('too detailed');
    expect(lines).toEqual([expect.stringMatching(/INFO {2}\[flock-worker\] polling\n$/), expect.stringMatching(/DEBUG \[flock-worker\] Worker state changed state=RUNNING\n$/)]);
    expect(runtime.telemetryOptions?.logging).toMatchObject({ filter: expect.stringContaining('temporalio_sdk_core=DEBUG') });
  });

  it('says where traces go, or why they do not', () => {
    expect(install().observability.describe()[0]).toMatch(/^traces: off \(no OTEL_EXPORTER_OTLP_ENDPOINT/);
    const on = install({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' } });
    expect(on.observability.telemetry.enabled).toBe(true);
    expect(on.observability.describe()[0]).toBe('traces: OTLP http/json to http://collector:4318/v1/traces');
  });

  it('fails on an OTEL setting it cannot honour, before installing anything', () => {
    const installed: unknown[] = [];
    expect(() =>
      installWorkerObservability({
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' },
        installRuntime: ((o: unknown) => installed.push(o)) as never,
      }),
    ).toThrow(expect.objectContaining({ name: 'TelemetryConfigError' }));
    expect(installed).toEqual([]);
  });
});
