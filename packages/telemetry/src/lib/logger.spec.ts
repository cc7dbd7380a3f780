import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLogger, parseLogFormat, parseLogLevel, type LogFormat, type LogLevel } from './logger';
import { setupTelemetry } from './setup-telemetry';

function capture(format: LogFormat, level: LogLevel = 'info') {
  const lines: string[] = [];
  const logger = createLogger({ name: 'test', format, level, destination: { write: (line) => lines.push(line) } });
  return { logger, lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object per record with a string level, time, name and fields', () => {
    const { logger, records } = capture('json');
    logger.info({ agent: 'reader', metrics: { documents: 3 } }, 'Agent step completed');
    expect(records()).toEqual([
      expect.objectContaining({ level: 'info', name: 'test', msg: 'Agent step completed', agent: 'reader', metrics: { documents: 3 }, time: expect.any(String) }),
    ]);
  });

  it('drops records below its level', () => {
    const { logger, lines } = capture('json', 'warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('loud');
  });

  it('never writes secrets: secret-named fields are redacted, credential-looking strings replaced, credentials cut out of the message', () => {
    const { logger, lines } = capture('json');
    logger.info({ apiKey: 'plain-key-value', config: { token: 'abc' }, note: 'Bearer sk-0123456789abcdefghijklmnopqrstuv' }, 'connecting with sk-0123456789abcdefghijklmnopqrstuv');
    const line = lines.join('');
    expect(line).not.toContain('plain-key-value');
    expect(line).not.toContain('sk-0123456789');
    expect(JSON.parse(line)).toMatchObject({ apiKey: '[redacted]', config: { token: '[redacted]' }, note: '[redacted]', msg: 'connecting with [redacted]' });
  });

  it('cuts connection-string passwords, Basic credentials and hex api keys out of messages, fields and error stacks', () => {
    const { logger, lines } = capture('json');
    const secret = ['hunter', '2'].join('');
    const error = new Error(`login failed: Server=db;Password=${secret}; Authorization: Basic dXNlcjpodW50ZXIy`);
    logger.error({ err: error, header: 'x-api-key: 5f4dcc3b5aa765d61d8327deb882cf99' }, `tool failed: Password=${secret};`);
    const line = lines.join('');
    for (const leaked of [secret, 'dXNlcjpodW50ZXIy', '5f4dcc3b5aa765d61d8327deb882cf99']) expect(line).not.toContain(leaked);
    const record = JSON.parse(line);
    expect(record.msg).toBe('tool failed: Password=[redacted];');
    expect(record.err.message).toBe('login failed: Server=db;Password=[redacted]; Authorization: [redacted]');
    expect(record.err.stack).toContain('login failed: Server=db;Password=[redacted];');
    expect(record.header).toBe('x-api-key: [redacted]');
  });

  it('keeps names that start like a provider key', () => {
    const { logger, records } = capture('json');
    logger.info({ flock: 'sk-customer-support-bot', agent: 'sk-summarizer-agent-01' }, 'Evaluating agent sk-summarizer-agent-01');
    expect(records()[0]).toMatchObject({ flock: 'sk-customer-support-bot', agent: 'sk-summarizer-agent-01', msg: 'Evaluating agent sk-summarizer-agent-01' });
  });

  it('adds the active span ids, so logs join their trace', async () => {
    const telemetry = setupTelemetry({ exporter: new InMemorySpanExporter(), processor: 'simple' });
    try {
      const { logger, records } = capture('json');
      const span = telemetry.tracer().startSpan('work');
      context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
      span.end();
      logger.info('outside');
      const [inside, outside] = records();
      expect(inside).toMatchObject({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
      expect(outside).not.toHaveProperty('trace_id');
    } finally {
      await telemetry.shutdown();
    }
  });

  it('writes readable lines in pretty format', () => {
    const lines: string[] = [];
    const logger = createLogger({ name: 'flock-worker', format: 'pretty', destination: { write: (line) => lines.push(line) } });
    logger.warn({ attempt: 2, workflowId: 'docs-1', note: 'two words' }, 'Agent failed');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[flock-worker\] Agent failed attempt=2 workflowId=docs-1 note="two words"\n$/);
  });

  it('prints an error with its stack below the line in pretty format', () => {
    const lines: string[] = [];
    const logger = createLogger({ format: 'pretty', destination: { write: (line) => lines.push(line) } });
    logger.error({ err: new Error('boom') }, 'failed');
    expect(lines[0]).toContain('ERROR failed err=boom\n    Error: boom');
  });
});

describe('parseLogLevel / parseLogFormat', () => {
  it('read levels and formats case-insensitively', () => {
    expect(parseLogLevel(' DEBUG ')).toBe('debug');
    expect(parseLogFormat('JSON')).toBe('json');
  });

  it('reject unknown values with a TelemetryConfigError naming the setting', () => {
    expect(() => parseLogLevel('verbose', '--log-level')).toThrow(
      expect.objectContaining({ name: 'TelemetryConfigError', code: 'UNKNOWN_LOG_LEVEL', message: expect.stringContaining('--log-level') }),
    );
    expect(() => parseLogFormat('xml', 'FLOCK_LOG_FORMAT')).toThrow(expect.objectContaining({ code: 'UNKNOWN_LOG_FORMAT', setting: 'FLOCK_LOG_FORMAT' }));
  });
});
