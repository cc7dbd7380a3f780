import { createLogger, parseLogFormat, parseLogLevel, toTemporalLogger, type FlockLogger, type LogFormat, type LogLevel } from '@flock-ts/telemetry';
import { makeTelemetryFilterString, Runtime, type RuntimeOptions } from '@temporalio/worker';

/** Level of the SDK's records when neither {@link FlockRuntimeOptions.level} nor `FLOCK_LOG_LEVEL` says otherwise. */
export const DEFAULT_SDK_LOG_LEVEL: LogLevel = 'warn';

/**
 * What {@link ensureFlockRuntime} reads of Temporal's `Runtime` class and
 * sets on it: the process-wide singleton (`_instance`), who made it
 * (`instantiator`: `install` for one installed on purpose, `instance` for
 * the SDK's own) and `defaultOptions`, the options the SDK makes its runtime
 * with when the first native object (a connection) needs one.
 */
export interface SdkRuntimeClass {
  readonly _instance?: unknown;
  readonly instantiator?: 'install' | 'instance';
  defaultOptions: RuntimeOptions;
}

/** Options of {@link ensureFlockRuntime}. */
export interface FlockRuntimeOptions {
  /** Lowest level shown (default: env `FLOCK_LOG_LEVEL`, else {@link DEFAULT_SDK_LOG_LEVEL}). */
  level?: LogLevel;
  /** `pretty` or `json` (default: env `FLOCK_LOG_FORMAT`, else `pretty`). */
  format?: LogFormat;
  /** Where `FLOCK_LOG_LEVEL` and `FLOCK_LOG_FORMAT` are read (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Where lines go (default: standard error, as the SDK's own logger; standard output stays the program's). */
  destination?: { write(line: string): unknown };
  /** Temporal's `Runtime` class (default: the one of `@temporalio/worker`); a stand-in in tests. */
  runtime?: SdkRuntimeClass;
}

/** What {@link ensureFlockRuntime} found or did. */
export type FlockRuntimeState =
  /** Flock's runtime options are set (by this call or an earlier one): the SDK's records go through `logger`. */
  | { owner: 'flock'; level: LogLevel; logger: FlockLogger }
  /** A runtime was there first (yours, installed with `Runtime.install`, or the SDK's own one already running): left alone. */
  | { owner: 'existing' };

const installed = new WeakMap<SdkRuntimeClass, FlockRuntimeState>();

/**
 * Makes Flock's logger the one of Temporal's process-wide `Runtime`, once
 * per process, before the first `NativeConnection`: the SDK's records
 * (worker state, activity and workflow context loggers) and Core's native
 * logs come out through one `@flock-ts/telemetry` logger, on standard
 * error, at `warn` by default (env `FLOCK_LOG_LEVEL`: trace, debug, info,
 * warn, error or silent), with task tokens redacted (`toTemporalLogger`).
 * Core's chatty INFO shows from `debug` on.
 *
 * It sets the options the SDK makes its runtime with (`Runtime.defaultOptions`)
 * rather than installing one: the runtime is made by the first connection
 * and shut down by the SDK once its last connection and worker are gone, so
 * a process whose connect failed is not held open by it (nor its signal
 * handlers), and `Runtime.install` before the first connection still takes
 * over. A runtime that is there already is left alone: one installed with
 * `Runtime.install` (even when it has since shut down while idle: the SDK
 * makes the next one from its options), or the SDK's own one while it runs.
 * Idempotent; an invalid `FLOCK_LOG_LEVEL` or `FLOCK_LOG_FORMAT` throws
 * `TelemetryConfigError` naming the variable.
 *
 * @example
 * ensureFlockRuntime(); // before NativeConnection.connect
 * ensureFlockRuntime({ level: 'info' }); // the SDK's worker state lines too
 */
export function ensureFlockRuntime(options: FlockRuntimeOptions = {}): FlockRuntimeState {
  const runtime = options.runtime ?? Runtime;
  const known = installed.get(runtime);
  if (known) return known;
  if (runtime._instance !== undefined || runtime.instantiator === 'install') return { owner: 'existing' };
  const env = options.env ?? process.env;
  const level = options.level ?? levelFromEnv(env);
  const format = options.format ?? (env['FLOCK_LOG_FORMAT'] ? parseLogFormat(env['FLOCK_LOG_FORMAT'], 'FLOCK_LOG_FORMAT') : 'pretty');
  const logger = createLogger({ name: 'flock', level, format, destination: options.destination ?? process.stderr });
  runtime.defaultOptions = {
    logger: toTemporalLogger(logger),
    // Core's records go through the same logger instead of straight to the console
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: coreLogLevel(level) }) } },
  };
  const state: FlockRuntimeState = { owner: 'flock', level, logger };
  installed.set(runtime, state);
  return state;
}

function levelFromEnv(env: Record<string, string | undefined>): LogLevel {
  const value = env['FLOCK_LOG_LEVEL'];
  return value ? parseLogLevel(value, 'FLOCK_LOG_LEVEL') : DEFAULT_SDK_LOG_LEVEL;
}

/** Core's level for a logger level: its INFO is chatty, so it shows from `debug` on. */
export function coreLogLevel(level: LogLevel): 'TRACE' | 'DEBUG' | 'WARN' | 'ERROR' {
  if (level === 'trace') return 'TRACE';
  if (level === 'debug') return 'DEBUG';
  if (level === 'info' || level === 'warn') return 'WARN';
  return 'ERROR';
}
