import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseLogFormat, parseLogLevel, type LogFormat, type LogLevel } from '@flock-ts/telemetry';
import { CliUsageError } from '@flock-ts/temporal';

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
  /** Modules exporting the flocks to host; at least one (`parseWorkerArgs` requires it). */
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

/** What a `flock-worker` command line asks for: run a worker, or print help or version text (exit 0). */
export type WorkerCommand = { kind: 'print'; text: string } | { kind: 'run'; options: WorkerCliOptions };

export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 10;

/**
 * The usage error of a `flock-worker` start without `--flock` or
 * `FLOCK_MODULES`: a worker hosts the flocks it is told to, never a default
 * set (a production worker with the variable unset would poll for the wrong
 * flocks).
 */
export const FLOCK_REQUIRED_MESSAGE =
  '--flock (or FLOCK_MODULES) is required: a file or package exporting your flocks, e.g. --flock ./dist/my-flock.js; --flock @flock-ts/examples hosts the example flocks';

const AFTER_HELP = `
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

Exit status: 0 after a clean stop, 1 on a failed start or a failed worker, 2 on
a bad command line.`;

/** A repeatable option's values; from the environment, one comma-separated value. */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function workerProgram(out: (text: string) => void): Command {
  return new Command('flock-worker')
    .description('Hosts Flock agents on Temporal: polls task queues and runs the Flock workflow and its agent steps. Start as many as you like on a queue.')
    .version(packageVersion(), '-V, --version', 'Print the version')
    .helpOption('-h, --help', 'Show this help')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out, outputError: () => undefined })
    .addOption(new Option('--server <host:port>', 'Temporal frontend (default localhost:7233)').env('TEMPORAL_ADDRESS'))
    .addOption(new Option('--namespace <name>', 'Temporal namespace (default "default")').env('TEMPORAL_NAMESPACE'))
    .addOption(
      new Option('--task-queue <queue>', 'Task queue to poll; repeatable, comma-separated in the variable (default: the task queues the flocks declare)')
        .argParser(collect)
        .env('FLOCK_TASK_QUEUE'),
    )
    .addOption(new Option('--concurrency <n>', "Max concurrent agent steps and workflow tasks per queue (default: the SDK's)").env('TEMPORAL_MAX_CONCURRENCY'))
    .addOption(
      new Option(
        '--flock <module>',
        'Required. File or package exporting a Flock as "default" or "flock", or "flocks: Flock[]", resolved from the current directory; repeatable, comma-separated in the variable (@flock-ts/examples: the example flocks)',
      )
        .argParser(collect)
        .env('FLOCK_MODULES'),
    )
    .option(
      '--workflow-bundle <file>',
      'Prebuilt workflow bundle (default: the variant shipped next to the worker, workflow-bundle[.encoded-failures][.traced].js: .encoded-failures when the payload codec encrypts, .traced when traces are exported; else bundled at start)',
    )
    .addOption(
      new Option('--shutdown-grace <secs>', `On SIGTERM/SIGINT, time in-flight steps get to finish (default ${DEFAULT_SHUTDOWN_GRACE_SECONDS})`).env('FLOCK_SHUTDOWN_GRACE'),
    )
    .addOption(
      new Option(
        '--metrics-port <port>',
        "Serve the worker's Prometheus metrics (Temporal SDK and custom agent metrics) at http://0.0.0.0:<port>/metrics; <host:port> binds one interface (default: no endpoint)",
      ).env('FLOCK_METRICS_PORT'),
    )
    .addOption(new Option('--log-level <level>', 'trace, debug, info, warn, error or silent (default info)').env('FLOCK_LOG_LEVEL'))
    .addOption(new Option('--log-format <format>', 'json (one object per line) or pretty (default pretty)').env('FLOCK_LOG_FORMAT'))
    .addHelpText('after', AFTER_HELP);
}

/**
 * Parses `flock-worker` arguments; options win over their environment
 * variables (read from `process.env`). Help and `--version` parse into
 * `{ kind: 'print' }`. Throws {@link CliUsageError} with a message fit for
 * the terminal, naming the option or the variable a bad value came from,
 * and ({@link FLOCK_REQUIRED_MESSAGE}) when no flock module is given.
 *
 * @example
 * parseWorkerArgs(['--server', 'temporal:7233', '--task-queue', 'agent-tasks', '--flock', './dist/my-flock.js'])
 */
export function parseWorkerArgs(argv: readonly string[]): WorkerCommand {
  let text = '';
  const program = workerProgram((chunk) => (text += chunk));
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return { kind: 'print', text };
    throw new CliUsageError(`${error.message.replace(/^error: /, '')}\nRun flock-worker --help for the options.`);
  }

  const server = setting(program, 'server');
  if (server.value !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(server.value)) {
    throw new CliUsageError(`${server.what} takes host:port without a scheme, e.g. temporal:7233 (got ${server.value})`);
  }
  const namespace = setting(program, 'namespace').value;
  const concurrency = setting(program, 'concurrency');
  const grace = setting(program, 'shutdownGrace');
  const workflowBundle = setting(program, 'workflowBundle').value;
  const metricsBindAddress = bindAddress(setting(program, 'metricsPort'));
  const logLevel = validated(setting(program, 'logLevel'), parseLogLevel);
  const logFormat = validated(setting(program, 'logFormat'), parseLogFormat);
  const options: WorkerCliOptions = {
    ...(server.value !== undefined ? { server: server.value } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    taskQueues: [...new Set(list(program, 'taskQueue'))],
    ...(concurrency.value !== undefined ? { concurrency: positiveInteger(concurrency.value, concurrency.what) } : {}),
    flockModules: list(program, 'flock'),
    ...(workflowBundle !== undefined ? { workflowBundle } : {}),
    shutdownGraceSeconds: grace.value !== undefined ? seconds(grace.value, grace.what) : DEFAULT_SHUTDOWN_GRACE_SECONDS,
    ...(metricsBindAddress !== undefined ? { metricsBindAddress } : {}),
    ...(logLevel !== undefined ? { logLevel } : {}),
    ...(logFormat !== undefined ? { logFormat } : {}),
  };
  // last: a wrong value elsewhere is the more specific message
  if (options.flockModules.length === 0) throw new CliUsageError(FLOCK_REQUIRED_MESSAGE);
  return { kind: 'run', options };
}

/** The version in the app's package.json (two folders up from both src/lib and dist/lib). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** A string option, trimmed, and what to call it in an error: its flag, or the variable it came from. */
interface Setting {
  value?: string;
  what: string;
}

/** An empty variable counts as unset; an empty flag is an error. */
function setting(program: Command, key: string): Setting {
  const option = program.options.find((candidate) => candidate.attributeName() === key);
  const fromEnv = program.getOptionValueSource(key) === 'env';
  const what = (fromEnv ? option?.envVar : option?.long) ?? key;
  const value = program.getOptionValue(key) as string | undefined;
  if (fromEnv && !value?.trim()) return { what };
  return { value: nonEmpty(value, what), what };
}

/** A repeatable option's values: each flag given, else its variable's comma-separated items. */
function list(program: Command, key: string): string[] {
  const values = (program.getOptionValue(key) as string[] | undefined) ?? [];
  if (program.getOptionValueSource(key) === 'env') return commaList(values.join(','));
  const flag = program.options.find((candidate) => candidate.attributeName() === key)?.long ?? key;
  return values.map((value) => nonEmpty(value, flag) as string);
}

/** `--metrics-port 9464` binds every interface; `127.0.0.1:9464` one. */
function bindAddress({ value, what }: Setting): string | undefined {
  if (value === undefined) return undefined;
  const match = /^(?:(\[[0-9a-fA-F:]+\]|[^:\s]+):)?(\d+)$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || port < 1 || port > 65535) {
    throw new CliUsageError(`${what} takes a port (1-65535) or host:port, got "${value}"`);
  }
  return `${match[1] ?? '0.0.0.0'}:${port}`;
}

function validated<T>({ value, what }: Setting, parse: (value: string, setting: string) => T): T | undefined {
  if (value === undefined) return undefined;
  try {
    return parse(value, what);
  } catch (error) {
    throw new CliUsageError((error as Error).message);
  }
}

function nonEmpty(value: string | undefined, what: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new CliUsageError(`${what} must not be empty`);
  return value?.trim();
}

function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function positiveInteger(value: string, what: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new CliUsageError(`${what} must be a positive integer, got "${value}"`);
  }
  return Number(value);
}

function seconds(value: string, what: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new CliUsageError(`${what} must be a number of seconds, got "${value}"`);
  return Number(value);
}
