import { parseArgs } from 'node:util';
import { parseLogFormat, parseLogLevel, type LogFormat, type LogLevel } from '@flock-ts/telemetry';
import { CliUsageError } from './errors';

/** Options of a `flock-worker` run, from the command line and the environment. */
export interface WorkerCliOptions {
  /** `host:port` of Temporal; unset means env `TEMPORAL_ADDRESS`, then `localhost:7233`. */
  server?: string;
  /** Unset means env `TEMPORAL_NAMESPACE`, then `default`. */
  namespace?: string;
  /** Queues to poll; empty means the task queues the flocks declare. */
  taskQueues: string[];
  /** Concurrent activities (agent steps) and workflow tasks per queue. */
  concurrency?: number;
  /** Modules exporting the flocks to host; empty means the built-in example flock. */
  flockModules: string[];
  /** A prebuilt workflow bundle; unset means the shipped variant for the codec and tracing, else bundle at start. */
  workflowBundle?: string;
  /** How long in-flight agent steps may finish after SIGTERM/SIGINT before they are cancelled. */
  shutdownGraceSeconds: number;
  /** `host:port` the Prometheus endpoint (`/metrics`) binds to; unset: no endpoint. */
  metricsBindAddress?: string;
  /** Unset means `info`. */
  logLevel?: LogLevel;
  /** Unset means `pretty`. */
  logFormat?: LogFormat;
}

export type WorkerCommand = { kind: 'help' } | { kind: 'run'; options: WorkerCliOptions };

export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 10;

export const WORKER_USAGE = `Usage: flock-worker [options]

Hosts Flock agents on Temporal: polls task queues and runs the Flock
workflow and its agent steps. Start as many as you like on a queue.

Options:
  --server <host:port>       Temporal frontend (env TEMPORAL_ADDRESS; default localhost:7233)
  --namespace <name>         Temporal namespace (env TEMPORAL_NAMESPACE; default "default")
  --task-queue <queue>       Task queue to poll; repeat for several (env FLOCK_TASK_QUEUE,
                             comma-separated; default: the task queues the flocks declare)
  --concurrency <n>          Max concurrent agent steps and workflow tasks per queue
                             (env TEMPORAL_MAX_CONCURRENCY; default: the SDK's)
  --flock <module>           File or package exporting a Flock as "default" or "flock", or
                             "flocks: Flock[]"; repeatable; resolved from the current directory
                             (env FLOCK_MODULES, comma-separated; default: the example flock)
  --workflow-bundle <file>   Prebuilt workflow bundle (default: the variant shipped next to
                             the worker: workflow-bundle[.encoded-failures][.traced].js,
                             .encoded-failures when the payload codec encrypts, .traced when
                             traces are exported (OTEL_*); else bundled at start)
  --shutdown-grace <secs>    On SIGTERM/SIGINT, time in-flight steps get to finish
                             (env FLOCK_SHUTDOWN_GRACE; default ${DEFAULT_SHUTDOWN_GRACE_SECONDS})
  --metrics-port <port>      Serve the worker's Prometheus metrics (Temporal SDK and custom
                             agent metrics) at http://0.0.0.0:<port>/metrics; <host:port> binds
                             one interface (env FLOCK_METRICS_PORT; default: no endpoint)
  --log-level <level>        trace, debug, info, warn, error or silent (env FLOCK_LOG_LEVEL;
                             default info)
  --log-format <format>      json (one object per line) or pretty (env FLOCK_LOG_FORMAT;
                             default pretty)
  -h, --help                 Show this help

Traces are exported over OTLP when the standard OpenTelemetry variables are set:
OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf, http/json,
grpc), OTEL_SERVICE_NAME (default flock-worker), OTEL_RESOURCE_ATTRIBUTES.

Connection security (TLS, API key) follows Temporal's environment conventions:
TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE and temporal.toml.

Payload safety: FLOCK_PAYLOAD_ENCRYPTION_KEY (32 random bytes, base64) and
FLOCK_PAYLOAD_KEY_ID encrypt every payload with AES-256-GCM (the key id travels
in the payload metadata; FLOCK_PAYLOAD_DECRYPTION_KEYS=id=base64,... reads runs of
older keys); FLOCK_PAYLOAD_COMPRESSION=gzip compresses them. Clients (flockctl)
need the same settings.
`;

const OPTIONS = {
  server: { type: 'string' },
  namespace: { type: 'string' },
  'task-queue': { type: 'string', multiple: true },
  concurrency: { type: 'string' },
  flock: { type: 'string', multiple: true },
  'workflow-bundle': { type: 'string' },
  'shutdown-grace': { type: 'string' },
  'metrics-port': { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses `flock-worker` arguments; options win over their environment
 * variables. Throws {@link CliUsageError} with a message fit for the terminal.
 *
 * @example
 * parseWorkerArgs(['--server', 'temporal:7233', '--task-queue', 'agent-tasks'], process.env)
 */
export function parseWorkerArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): WorkerCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\nRun flock-worker --help for the options.`);
  }
  if (values.help) return { kind: 'help' };

  const server = nonEmpty(values.server, '--server');
  if (server !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(server)) {
    throw new CliUsageError(`--server takes host:port without a scheme, e.g. temporal:7233 (got ${server})`);
  }
  const taskQueues = values['task-queue']?.length
    ? values['task-queue'].map((queue) => nonEmpty(queue, '--task-queue') as string)
    : commaList(env['FLOCK_TASK_QUEUE']);
  const flockModules = values.flock?.length
    ? values.flock.map((module) => nonEmpty(module, '--flock') as string)
    : commaList(env['FLOCK_MODULES']);
  const concurrency =
    values.concurrency !== undefined
      ? positiveInteger(values.concurrency, '--concurrency')
      : env['TEMPORAL_MAX_CONCURRENCY']
        ? positiveInteger(env['TEMPORAL_MAX_CONCURRENCY'], 'TEMPORAL_MAX_CONCURRENCY')
        : undefined;
  const grace =
    values['shutdown-grace'] !== undefined
      ? seconds(values['shutdown-grace'], '--shutdown-grace')
      : env['FLOCK_SHUTDOWN_GRACE']
        ? seconds(env['FLOCK_SHUTDOWN_GRACE'], 'FLOCK_SHUTDOWN_GRACE')
        : DEFAULT_SHUTDOWN_GRACE_SECONDS;

  const metricsBindAddress = bindAddress(values['metrics-port'], env['FLOCK_METRICS_PORT']);
  const logLevel = fromFlagOrEnv(values['log-level'], '--log-level', env['FLOCK_LOG_LEVEL'], 'FLOCK_LOG_LEVEL', parseLogLevel);
  const logFormat = fromFlagOrEnv(values['log-format'], '--log-format', env['FLOCK_LOG_FORMAT'], 'FLOCK_LOG_FORMAT', parseLogFormat);

  return {
    kind: 'run',
    options: {
      ...(server !== undefined ? { server } : {}),
      ...(values.namespace !== undefined ? { namespace: nonEmpty(values.namespace, '--namespace') } : {}),
      taskQueues: [...new Set(taskQueues)],
      ...(concurrency !== undefined ? { concurrency } : {}),
      flockModules,
      ...(values['workflow-bundle'] !== undefined ? { workflowBundle: nonEmpty(values['workflow-bundle'], '--workflow-bundle') } : {}),
      shutdownGraceSeconds: grace,
      ...(metricsBindAddress !== undefined ? { metricsBindAddress } : {}),
      ...(logLevel !== undefined ? { logLevel } : {}),
      ...(logFormat !== undefined ? { logFormat } : {}),
    },
  };
}

/** `--metrics-port 9464` binds every interface; `127.0.0.1:9464` one. */
function bindAddress(flag: string | undefined, envValue: string | undefined): string | undefined {
  const [value, what] = flag !== undefined ? [flag, '--metrics-port'] : [envValue?.trim() || undefined, 'FLOCK_METRICS_PORT'];
  if (value === undefined) return undefined;
  const match = /^(?:(\[[0-9a-fA-F:]+\]|[^:\s]+):)?(\d+)$/.exec(value.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new CliUsageError(`${what} takes a port (1-65535) or host:port, got "${value}"`);
  }
  return `${match[1] ?? '0.0.0.0'}:${port}`;
}

function fromFlagOrEnv<T>(
  flag: string | undefined,
  flagName: string,
  envValue: string | undefined,
  envName: string,
  parse: (value: string, setting: string) => T,
): T | undefined {
  const [value, setting] = flag !== undefined ? [flag, flagName] : [envValue?.trim() || undefined, envName];
  if (value === undefined) return undefined;
  try {
    return parse(value, setting);
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
}

function nonEmpty(value: string | undefined, what: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new CliUsageError(`${what} must not be empty`);
  return value?.trim();
}

function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function positiveInteger(value: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(value) || Number(value) < 1) {
    throw new CliUsageError(`${what} must be a positive integer, got "${value}"`);
  }
  return Number(value);
}

function seconds(value: string, what: string): number {
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value)) throw new CliUsageError(`${what} must be a number of seconds, got "${value}"`);
  return Number(value);
}
