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
 * (the SDK's internal timestamp) are dropped.
 *
 * Task tokens are shown as `[redacted]`, here and not only by the logger
 * (any pino logger may be passed): a task token lets whoever holds it
 * complete, fail or heartbeat that activity or Nexus task, so it is a
 * credential for as long as the task lives. The key stays, so a record still
 * says that it was about a task. That covers `taskToken` (every activity
 * record), Core's `task_token` field, `base64TaskToken`, the same keys in
 * nested objects (the Nexus task dumped by its trace record), `"taskToken":
 * "..."` inside strings (the task JSON of an error record) and `taskEncoded`
 * (the whole protobuf task in base64, token and input included, on error
 * records). Other secrets (`apiKey`, an `authorization` header) are stripped
 * by the logger itself (`createLogger`).
 *
 * @example
 * Runtime.install({ logger: toTemporalLogger(createLogger({ name: 'flock-worker', format: 'json' })) });
 */
export function toTemporalLogger(logger: FlockLogger): TemporalLoggerLike {
  const emit = (level: TemporalLogLevel, message: string, meta?: Meta) => {
    const method = METHODS[level] ?? 'info';
    if (!logger.isLevelEnabled(method)) return;
    logger[method](plainFields(meta), redactTokenText(message));
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

/** What replaces a task token. */
export const REDACTED_TASK_TOKEN = '[redacted]';

/** Keys whose value is a task token, or holds one (`taskEncoded`: the protobuf task in base64). */
const TASK_TOKEN_KEY = /^(?:base64_?)?task_?token$|^taskEncoded$/i;
/** A task token written out in text: JSON (`"taskToken":"..."`) or `key=value` (`task_token=...`). */
const TASK_TOKEN_TEXT = /(\b(?:base64_?)?task_?token"?\s*[:=]\s*"?)[^"\s,;}\])]+/gi;
/** Nested meta is walked this deep; deeper values are kept as they are. */
const MAX_DEPTH = 8;

function plainFields(meta: Meta | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!meta) return fields;
  const ancestors = new Set<object>();
  for (const key of Object.keys(meta)) {
    const value = meta[key];
    // pino reads an `err` field as an error to serialize; the SDK names failures `error`
    fields[key === 'error' && value instanceof Error ? 'err' : key] = TASK_TOKEN_KEY.test(key) ? REDACTED_TASK_TOKEN : withoutTaskTokens(value, 1, ancestors);
  }
  return fields;
}

/**
 * `value` with its task tokens redacted. Plain objects and arrays are copied
 * (protobuf messages as their `toJSON()`, which is what a JSON line would
 * hold anyway); errors, dates, byte arrays and class instances without
 * `toJSON` are kept as they are; a cycle shows `[Circular]`.
 */
function withoutTaskTokens(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return redactTokenText(value);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (value instanceof Error || value instanceof Date || ArrayBuffer.isView(value)) return value;
  if (ancestors.has(value)) return '[Circular]';
  ancestors.add(value);
  try {
    return copyWithoutTaskTokens(value, depth, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function copyWithoutTaskTokens(value: object, depth: number, ancestors: Set<object>): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutTaskTokens(item, depth + 1, ancestors));
  const json = jsonForm(value);
  if (json !== value) return withoutTaskTokens(json, depth, ancestors);
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = TASK_TOKEN_KEY.test(key) ? REDACTED_TASK_TOKEN : withoutTaskTokens(item, depth + 1, ancestors);
  return copy;
}

/** A protobuf message's JSON form (bytes in base64, longs as strings); `value` itself otherwise. */
function jsonForm(value: object): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== 'function') return value;
  try {
    return toJSON.call(value);
  } catch {
    return value;
  }
}

function redactTokenText(text: string): string {
  return /task_?token/i.test(text) ? text.replace(TASK_TOKEN_TEXT, `$1${REDACTED_TASK_TOKEN}`) : text;
}
