import { SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { setupTelemetry, type FlockTelemetry } from './setup-telemetry';
import { withSpan } from './with-span';

describe('withSpan', () => {
  let exporter: InMemorySpanExporter;
  let telemetry: FlockTelemetry;
  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    telemetry = setupTelemetry({ exporter, processor: 'simple', env: {} });
  });
  afterEach(() => telemetry.shutdown());

  it('makes the span active for what runs inside, and ends it', async () => {
    const result = await withSpan('outer', async () => trace.getTracer('t').startActiveSpan('inner', (span) => (span.end(), 42)), { attributes: { k: 'v' } });
    expect(result).toBe(42);
    const [inner, outer] = exporter.getFinishedSpans();
    expect(outer).toMatchObject({ name: 'outer', attributes: { k: 'v' } });
    expect(inner.parentSpanId).toBe(outer.spanContext().spanId);
  });

  it('cuts credentials out of the recorded exception and the status', async () => {
    const secret = ['hunter', '2'].join('');
    await expect(
      withSpan('db', async () => {
        throw new Error(`login failed: Password=${secret}; Authorization: Basic dXNlcjpodW50ZXIy`);
      }),
    ).rejects.toThrow(secret);
    const [span] = exporter.getFinishedSpans();
    expect(span.status.message).toBe('login failed: Password=[redacted]; Authorization: [redacted]');
    const text = JSON.stringify({ events: span.events, status: span.status });
    expect(text).toContain('Password=[redacted];');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('dXNlcjpodW50ZXIy');
  });

  it('marks a throw and a failed result as errors', async () => {
    await expect(
      withSpan('throws', async () => {
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    await withSpan('exit-1', async () => 1, { failed: (code) => (code ? `exit status ${code}` : undefined) });
    await withSpan('exit-0', async () => 0, { failed: (code) => (code ? `exit status ${code}` : undefined) });
    expect(exporter.getFinishedSpans().map((s) => [s.name, s.status.code, s.status.message])).toEqual([
      ['throws', SpanStatusCode.ERROR, 'nope'],
      ['exit-1', SpanStatusCode.ERROR, 'exit status 1'],
      ['exit-0', SpanStatusCode.UNSET, undefined],
    ]);
  });
});
