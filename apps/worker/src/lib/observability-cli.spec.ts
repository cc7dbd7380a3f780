import { parseWorkerArgs, type WorkerCliOptions } from './cli';

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

function options(argv: string[], env: Record<string, string> = {}): WorkerCliOptions {
  const command = parse(argv, env);
  if (command.kind !== 'run') throw new Error('expected a run command');
  return command.options;
}

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
