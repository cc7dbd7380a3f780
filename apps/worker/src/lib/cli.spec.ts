import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SHUTDOWN_GRACE_SECONDS, FLOCK_REQUIRED_MESSAGE, parseWorkerArgs, type WorkerCliOptions } from './cli';

/** Parses with exactly `env` as the environment (the options fall back to it). */
function parse(argv: string[], env: Record<string, string> = {}) {
  const saved = process.env;
  process.env = { ...env };
  try {
    return parseWorkerArgs(argv);
  } finally {
    process.env = saved;
  }
}

/** A run needs a flock module: the tests of the other settings name one in FLOCK_MODULES. */
const WITH_FLOCK = { FLOCK_MODULES: './flock.js' };

function options(argv: string[], env: Record<string, string> = {}): WorkerCliOptions {
  const command = parse(argv, { ...WITH_FLOCK, ...env });
  if (command.kind !== 'run') throw new Error('expected a run command');
  return command.options;
}

function usageError(argv: string[], env: Record<string, string> = {}): Error {
  try {
    parse(argv, env);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a usage error');
}

/** The help text, with line wrapping undone. */
function help(): string {
  const command = parse(['--help']);
  if (command.kind !== 'print') throw new Error('expected the help text');
  return command.text.replace(/\s+/g, ' ');
}

describe('parseWorkerArgs', () => {
  it('reads the seed command line', () => {
    expect(options(['--server', 'temporal:7233', '--namespace', 'flock-example', '--task-queue', 'agent-tasks', '--concurrency', '8'])).toEqual({
      server: 'temporal:7233',
      namespace: 'flock-example',
      taskQueues: ['agent-tasks'],
      concurrency: 8,
      flockModules: ['./flock.js'],
      shutdownGraceSeconds: DEFAULT_SHUTDOWN_GRACE_SECONDS,
    });
  });

  it('requires --flock or FLOCK_MODULES, saying how to host the example flocks', () => {
    for (const env of [{}, { FLOCK_MODULES: '' }, { FLOCK_MODULES: ' , ' }] as Array<Record<string, string>>) {
      const error = usageError(['--server', 'temporal:7233'], env);
      expect(error).toMatchObject({ name: 'CliUsageError', code: 'CLI_USAGE', message: FLOCK_REQUIRED_MESSAGE });
    }
    expect(FLOCK_REQUIRED_MESSAGE).toContain('--flock @flock-ts/examples');
    expect(options(['--flock', '@flock-ts/examples'], {}).flockModules).toEqual(['@flock-ts/examples']);
    expect(options([], { FLOCK_MODULES: '@flock-ts/examples' }).flockModules).toEqual(['@flock-ts/examples']);
  });

  it('reports a wrong value before a missing --flock', () => {
    expect(usageError(['--concurrency', '0'], {}).message).toBe('--concurrency must be a positive integer, got "0"');
  });

  it('answers --help and --version without a --flock', () => {
    expect(parse(['--help']).kind).toBe('print');
    expect(parse(['--version']).kind).toBe('print');
  });

  it('accepts the --name=value form', () => {
    expect(options(['--server=temporal:7233']).server).toBe('temporal:7233');
  });

  it('leaves server and namespace unset without options or variables, so the connection defaults apply', () => {
    const parsed = options([]);
    expect(parsed.server).toBeUndefined();
    expect(parsed.namespace).toBeUndefined();
  });

  it('collects repeated --flock and --task-queue options, without duplicate queues', () => {
    const parsed = options(['--flock', './a.js', '--flock', 'pkg', '--task-queue', 'q1', '--task-queue', 'q2', '--task-queue', 'q1']);
    expect(parsed.flockModules).toEqual(['./a.js', 'pkg']);
    expect(parsed.taskQueues).toEqual(['q1', 'q2']);
  });

  it('takes the concurrency from TEMPORAL_MAX_CONCURRENCY when the flag is absent', () => {
    expect(options([], { TEMPORAL_MAX_CONCURRENCY: '4' }).concurrency).toBe(4);
  });

  it('prefers --concurrency over TEMPORAL_MAX_CONCURRENCY', () => {
    expect(options(['--concurrency', '2'], { TEMPORAL_MAX_CONCURRENCY: '4' }).concurrency).toBe(2);
  });

  it('rejects a concurrency that is not a positive integer, naming its source', () => {
    expect(usageError(['--concurrency', '0']).message).toBe('--concurrency must be a positive integer, got "0"');
    expect(usageError(['--concurrency', 'many']).message).toContain('--concurrency');
    expect(usageError([], { TEMPORAL_MAX_CONCURRENCY: '2.5' }).message).toBe('TEMPORAL_MAX_CONCURRENCY must be a positive integer, got "2.5"');
  });

  it('reads task queues and flock modules from comma-separated env variables', () => {
    const parsed = options([], { FLOCK_TASK_QUEUE: 'a, b', FLOCK_MODULES: './x.js,pkg' });
    expect(parsed.taskQueues).toEqual(['a', 'b']);
    expect(parsed.flockModules).toEqual(['./x.js', 'pkg']);
  });

  it('prefers --task-queue over FLOCK_TASK_QUEUE', () => {
    expect(options(['--task-queue', 'mine'], { FLOCK_TASK_QUEUE: 'env' }).taskQueues).toEqual(['mine']);
  });

  it('reads --workflow-bundle and --shutdown-grace', () => {
    const parsed = options(['--workflow-bundle', 'dist/workflow-bundle.js', '--shutdown-grace', '2.5']);
    expect(parsed.workflowBundle).toBe('dist/workflow-bundle.js');
    expect(parsed.shutdownGraceSeconds).toBe(2.5);
  });

  it('takes the shutdown grace from FLOCK_SHUTDOWN_GRACE', () => {
    expect(options([], { FLOCK_SHUTDOWN_GRACE: '30' }).shutdownGraceSeconds).toBe(30);
  });

  it('rejects a server address with a scheme', () => {
    expect(usageError(['--server', 'http://temporal:7233']).message).toContain('host:port without a scheme');
  });

  it('rejects empty values', () => {
    expect(usageError(['--flock', '']).message).toBe('--flock must not be empty');
  });

  it('rejects unknown options with a usage error naming the option, suggesting a close one and pointing to --help', () => {
    const error = usageError(['--servr', 'x']);
    expect(error).toMatchObject({ name: 'CliUsageError', code: 'CLI_USAGE' });
    // the whole message: no dangling quote
    expect(error.message).toBe("unknown option '--servr'\n(Did you mean --server?)\nRun flock-worker --help for the options.");
  });

  it('rejects positional arguments', () => {
    expect(usageError(['worker.js']).message).toContain('too many arguments. Expected 0 arguments but got 1.');
  });

  it('rejects an option without its value', () => {
    expect(usageError(['--server']).message).toContain("option '--server <host:port>' argument missing");
  });

  it('answers --help and -h with the help text, whatever follows', () => {
    expect(parse(['-h', '--concurrency', 'bad'])).toEqual(parse(['--help']));
    expect(help()).toContain('Usage: flock-worker [options]');
  });

  it('prints the version of the package', () => {
    const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(parse([flag])).toEqual({ kind: 'print', text: `${version}\n` });
  });
});

describe('parseWorkerArgs: the environment', () => {
  it('takes server and namespace from TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, the options winning', () => {
    const env = { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'flock-example' };
    expect(options([], env)).toMatchObject({ server: 'temporal:7233', namespace: 'flock-example' });
    expect(options(['--server', 'other:7233', '--namespace', 'ns'], env)).toMatchObject({ server: 'other:7233', namespace: 'ns' });
  });

  it('treats an empty variable as unset', () => {
    expect(options([], { TEMPORAL_ADDRESS: '', TEMPORAL_MAX_CONCURRENCY: ' ', FLOCK_SHUTDOWN_GRACE: '' })).toEqual(options([]));
  });

  it('names the variable a bad value came from', () => {
    expect(usageError([], { TEMPORAL_ADDRESS: 'https://temporal:7233' }).message).toContain('TEMPORAL_ADDRESS takes host:port without a scheme');
    expect(usageError([], { FLOCK_SHUTDOWN_GRACE: 'soon' }).message).toBe('FLOCK_SHUTDOWN_GRACE must be a number of seconds, got "soon"');
  });
});

describe('flock-worker --help', () => {
  it.each([
    '--server',
    '--namespace',
    '--task-queue',
    '--concurrency',
    '--flock',
    '--workflow-bundle',
    '--shutdown-grace',
    '--version',
    'TEMPORAL_ADDRESS',
    'TEMPORAL_NAMESPACE',
    'FLOCK_TASK_QUEUE',
    'TEMPORAL_MAX_CONCURRENCY',
    'FLOCK_MODULES',
    'FLOCK_SHUTDOWN_GRACE',
    'TEMPORAL_API_KEY',
    'FLOCK_PAYLOAD_ENCRYPTION_KEY',
    'FLOCK_PAYLOAD_KEY_ID',
    'FLOCK_PAYLOAD_COMPRESSION',
  ])('documents %s', (word) => {
    expect(help()).toContain(word);
  });

  it('names the variable each env-backed option falls back to', () => {
    expect(help()).toMatch(/--concurrency <n> .*\(env: TEMPORAL_MAX_CONCURRENCY\)/);
  });
});

describe('flock-worker observability options', () => {
  it('leaves metrics, log level and log format unset by default', () => {
    const parsed = options([]);
    expect(parsed).not.toHaveProperty('metricsBindAddress');
    expect(parsed).not.toHaveProperty('logLevel');
    expect(parsed).not.toHaveProperty('logFormat');
  });

  it('binds the metrics endpoint on every interface for --metrics-port <port>, or on the host given', () => {
    expect(options(['--metrics-port', '9464']).metricsBindAddress).toBe('0.0.0.0:9464');
    expect(options(['--metrics-port', '127.0.0.1:9464']).metricsBindAddress).toBe('127.0.0.1:9464');
    expect(options([], { FLOCK_METRICS_PORT: '9100' }).metricsBindAddress).toBe('0.0.0.0:9100');
  });

  it('reads --log-level and --log-format, over FLOCK_LOG_LEVEL and FLOCK_LOG_FORMAT', () => {
    expect(options(['--log-level', 'debug', '--log-format', 'json'])).toMatchObject({ logLevel: 'debug', logFormat: 'json' });
    expect(options([], { FLOCK_LOG_LEVEL: 'WARN', FLOCK_LOG_FORMAT: 'json' })).toMatchObject({ logLevel: 'warn', logFormat: 'json' });
    expect(options(['--log-level', 'error'], { FLOCK_LOG_LEVEL: 'debug' }).logLevel).toBe('error');
  });

  it.each([
    [['--metrics-port', 'http://x:9'], /--metrics-port takes a port/],
    [['--metrics-port', '70000'], /--metrics-port takes a port/],
    [['--log-level', 'loud'], /--log-level must be one of trace, debug, info/],
    [['--log-format', 'xml'], /--log-format must be json or pretty/],
  ])('rejects %j with a usage error naming the option', (argv, message) => {
    expect(() => parse(argv)).toThrow(expect.objectContaining({ name: 'CliUsageError', message: expect.stringMatching(message) }));
  });

  it('names the env variable when the bad value came from it', () => {
    expect(() => parse([], { FLOCK_LOG_FORMAT: 'yaml' })).toThrow(/FLOCK_LOG_FORMAT must be json or pretty/);
  });

  it('documents the options and the OTEL variables in --help', () => {
    const help = parse(['--help']);
    expect(help.kind).toBe('print');
    expect(help.kind === 'print' && help.text).toMatch(/--metrics-port <port>[\s\S]*--log-level <level>[\s\S]*--log-format <format>[\s\S]*OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
