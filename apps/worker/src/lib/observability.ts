import { createLogger, setupTelemetry, toTemporalLogger, type FlockLogger, type FlockTelemetry, type LogLevel } from '@flock-ts/telemetry';
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { WorkerCliOptions } from './cli';

/** Logs, traces and metrics of a `flock-worker` process. */
export interface WorkerObservability {
  logger: FlockLogger;
  telemetry: FlockTelemetry;
  /** The worker's own lines (`WorkerHost.log`). */
  log(line: string): void;
  /** What was set up, for the first log lines. */
  describe(): string[];
  /** Exports buffered spans and unregisters the tracer provider. */
  shutdown(): Promise<void>;
}

/** Options of {@link installWorkerObservability}. */
export interface ObservabilityOptions extends Pick<WorkerCliOptions, 'metricsBindAddress' | 'logLevel' | 'logFormat'> {
  env?: Record<string, string | undefined>;
  /** Where log lines go (default: standard output). */
  destination?: { write(line: string): unknown };
  /** Installs Temporal's process-wide runtime (default: `Runtime.install`); once per process, before any connection. */
  installRuntime?: typeof Runtime.install;
}

/**
 * Sets up the worker's observability, before any Temporal connection:
 * OpenTelemetry tracing from the `OTEL_*` variables (service name
 * `flock-worker` unless `OTEL_SERVICE_NAME` says otherwise), one logger for
 * our lines, the SDK's records (activity and workflow context loggers
 * included) and Core's native logs, and Core's Prometheus endpoint when a
 * bind address is given.
 *
 * @example
 * const observability = installWorkerObservability({ metricsBindAddress: '0.0.0.0:9464', logFormat: 'json' });
 */
export function installWorkerObservability(options: ObservabilityOptions = {}): WorkerObservability {
  const telemetry = setupTelemetry({ serviceName: 'flock-worker', ...(options.env ? { env: options.env } : {}) });
  const level = options.logLevel ?? 'info';
  const logger = createLogger({ name: 'flock-worker', level, format: options.logFormat ?? 'pretty', ...(options.destination ? { destination: options.destination } : {}) });
  try {
    (options.installRuntime ?? Runtime.install.bind(Runtime))({
      logger: toTemporalLogger(logger),
      telemetryOptions: {
        // native (Core) records go through the same logger instead of straight to the console
        logging: { forward: {}, filter: makeTelemetryFilterString({ core: coreLevel(level) }) },
        ...(options.metricsBindAddress ? { metrics: { prometheus: { bindAddress: options.metricsBindAddress } } } : {}),
      },
    });
  } catch (error) {
    void telemetry.shutdown();
    throw error;
  }
  return {
    logger,
    telemetry,
    log: (line) => logger.info(line),
    describe: () => [
      telemetry.plan.kind === 'otlp'
        ? `traces: OTLP ${telemetry.plan.protocol} to ${telemetry.plan.endpoint}`
        : telemetry.plan.kind === 'none'
          ? `traces: off (${telemetry.plan.reason})`
          : `traces: ${telemetry.plan.kind}`,
      options.metricsBindAddress ? `metrics: http://${options.metricsBindAddress}/metrics` : 'metrics: off (no --metrics-port)',
    ],
    shutdown: () => telemetry.shutdown(),
  };
}

/** Core's INFO is chatty; it shows from debug on. */
function coreLevel(level: LogLevel): 'TRACE' | 'DEBUG' | 'WARN' | 'ERROR' {
  if (level === 'trace') return 'TRACE';
  if (level === 'debug') return 'DEBUG';
  if (level === 'info' || level === 'warn') return 'WARN';
  return 'ERROR';
}
