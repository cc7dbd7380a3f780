import { redactSecretsInText, stripSecrets } from '@flock-ts/serialization';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import { TelemetryConfigError } from './errors';
import { formatPrettyLine } from './pretty';

/** Log levels, lowest first; `silent` logs nothing. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `json`: one JSON object per line (for collectors); `pretty`: one readable line per record. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type FlockLogger = Logger;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Default `info`. */
  level?: LogLevel;
  /** Default `pretty`. */
  format?: LogFormat;
  /** Shown in every record (`name` field, `[name]` in pretty lines). */
  name?: string;
  /** Where lines go (default: standard output). */
  destination?: { write(line: string): unknown };
}

/**
 * A pino logger for Flock processes. Every record's fields pass through
 * `stripSecrets` (secret-named keys show `[redacted]`, credentials are cut
 * out of strings, error messages and stacks, and the message), and records written while a span is active carry
 * its `trace_id` and `span_id`, so logs and traces can be joined.
 *
 * @example
 * const log = createLogger({ name: 'flock-worker', level: 'debug', format: 'json' });
 * log.info({ agent: 'reader', metrics: { documents: 3 } }, 'Agent step completed');
 */
export function createLogger(options: LoggerOptions = {}): FlockLogger {
  const format = options.format ?? 'pretty';
  const target = options.destination ?? process.stdout;
  const stream: DestinationStream =
    format === 'pretty' ? { write: (line: string) => void target.write(formatPrettyLine(line)) } : { write: (line: string) => void target.write(line) };
  return pino(
    {
      level: options.level ?? 'info',
      ...(options.name ? { name: options.name } : {}),
      base: format === 'json' ? { pid: process.pid } : undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // credentials are cut out of strings and errors (messages and stacks), the rest stays readable
        log: (record) => stripSecrets(record, { secretKeys: 'redact', strings: 'cut' }),
      },
      hooks: {
        logMethod(args, method) {
          // the message itself may carry a credential, e.g. a URL with a token
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactSecretsInText(arg) : arg)) as Parameters<typeof method>);
        },
      },
      mixin: activeSpanFields,
    },
    stream,
  );
}

function activeSpanFields(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/**
 * Reads a log level from a flag or variable; throws `TelemetryConfigError`
 * naming `setting` for anything else.
 *
 * @example
 * parseLogLevel(process.env['FLOCK_LOG_LEVEL'] ?? 'info', 'FLOCK_LOG_LEVEL') // => 'info'
 */
export function parseLogLevel(value: string, setting = 'log level'): LogLevel {
  const level = value.trim().toLowerCase();
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new TelemetryConfigError('UNKNOWN_LOG_LEVEL', setting, `${setting} must be one of ${LOG_LEVELS.join(', ')} (got "${value}")`);
}

/**
 * Reads a log format (`json` or `pretty`); throws `TelemetryConfigError` otherwise.
 *
 * @example
 * parseLogFormat('json', '--log-format') // => 'json'
 */
export function parseLogFormat(value: string, setting = 'log format'): LogFormat {
  const format = value.trim().toLowerCase();
  if ((LOG_FORMATS as readonly string[]).includes(format)) return format as LogFormat;
  throw new TelemetryConfigError('UNKNOWN_LOG_FORMAT', setting, `${setting} must be json or pretty (got "${value}")`);
}
