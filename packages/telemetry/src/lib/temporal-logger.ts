import type { FlockLogger } from './logger';

/** Temporal's log levels (`@temporalio/common` `LogLevel`). */
export type TemporalLogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
type Meta = Record<string | symbol, unknown>;

/**
 * The shape of Temporal's `Logger` (`@temporalio/common`), which
 * `Runtime.install({ logger })` takes; declared here so this package does
 * not depend on the Temporal SDK.
 */
export interface TemporalLoggerLike {
  log(level: TemporalLogLevel, message: string, meta?: Meta): void;
  trace(message: string, meta?: Meta): void;
  debug(message: string, meta?: Meta): void;
  info(message: string, meta?: Meta): void;
  warn(message: string, meta?: Meta): void;
  error(message: string, meta?: Meta): void;
}

const METHODS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Adapts a Flock (pino) logger to Temporal's `Logger`, so the SDK's own
 * records (worker state, activity and workflow context loggers) come out in
 * the same format. What the SDK puts in `meta` (for activities:
 * `activityType`, `activityId`, `attempt`, `workflowId`, `workflowRunId`,
 * `workflowType`, `taskQueue`, `namespace`; for workflows their ids and
 * type; trace ids when tracing) becomes fields of the record; symbol keys
 * (the SDK's internal timestamp) are dropped. Secrets are stripped by the
 * logger itself.
 *
 * @example
 * Runtime.install({ logger: toTemporalLogger(createLogger({ name: 'flock-worker', format: 'json' })) });
 */
export function toTemporalLogger(logger: FlockLogger): TemporalLoggerLike {
  const emit = (level: TemporalLogLevel, message: string, meta?: Meta) => {
    const method = METHODS[level] ?? 'info';
    if (!logger.isLevelEnabled(method)) return;
    logger[method](plainFields(meta), message);
  };
  return {
    log: emit,
    trace: (message, meta) => emit('TRACE', message, meta),
    debug: (message, meta) => emit('DEBUG', message, meta),
    info: (message, meta) => emit('INFO', message, meta),
    warn: (message, meta) => emit('WARN', message, meta),
    error: (message, meta) => emit('ERROR', message, meta),
  };
}

function plainFields(meta: Meta | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!meta) return fields;
  for (const key of Object.keys(meta)) {
    const value = meta[key];
    // pino reads an `err` field as an error to serialize; the SDK names failures `error`
    fields[key === 'error' && value instanceof Error ? 'err' : key] = value;
  }
  return fields;
}
