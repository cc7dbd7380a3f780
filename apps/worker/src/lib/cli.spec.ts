import { DEFAULT_SHUTDOWN_GRACE_SECONDS, parseWorkerArgs, WORKER_USAGE, type WorkerCliOptions } from './cli';

function options(argv: string[], env: Record<string, string> = {}): WorkerCliOptions {
  const command = parseWorkerArgs(argv, env);
  if (command.kind !== 'run') throw new Error('expected a run command');
  return command.options;
}

function usageError(argv: string[], env: Record<string, string> = {}): Error {
  try {
    parseWorkerArgs(argv, env);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a usage error');
}

describe('parseWorkerArgs', () => {
  it('reads the seed command line', () => {
    expect(
      options(['--server', 'temporal:7233', '--namespace', 'flock-example', '--task-queue', 'agent-tasks', '--concurrency', '8']),
    ).toEqual({
      server: 'temporal:7233',
      namespace: 'flock-example',
      taskQueues: ['agent-tasks'],
      concurrency: 8,
      flockModules: [],
      shutdownGraceSeconds: DEFAULT_SHUTDOWN_GRACE_SECONDS,
    });
  });

  it('accepts the --name=value form', () => {
    expect(options(['--server=temporal:7233']).server).toBe('temporal:7233');
  });

  it('leaves server and namespace unset so the environment conventions apply', () => {
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
    expect(usageError([], { TEMPORAL_MAX_CONCURRENCY: '2.5' }).message).toBe(
      'TEMPORAL_MAX_CONCURRENCY must be a positive integer, got "2.5"',
    );
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

  it('rejects unknown options and points to --help', () => {
    const error = usageError(['--servr', 'x']);
    expect(error).toMatchObject({ name: 'CliUsageError', code: 'CLI_USAGE' });
    expect(error.message).toContain("'--servr'");
    expect(error.message).toContain('flock-worker --help');
  });

  it('rejects positional arguments', () => {
    expect(usageError(['worker.js']).name).toBe('CliUsageError');
  });

  it('rejects an option without its value', () => {
    expect(usageError(['--server']).message).toContain('--server');
  });

  it('answers --help and -h with the help command', () => {
    expect(parseWorkerArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseWorkerArgs(['-h', '--concurrency', 'bad'])).toEqual({ kind: 'help' });
  });
});

describe('WORKER_USAGE', () => {
  it.each(['--server', '--namespace', '--task-queue', '--concurrency', '--flock', '--workflow-bundle', 'TEMPORAL_MAX_CONCURRENCY', 'FLOCK_PAYLOAD_ENCRYPTION_KEY', 'FLOCK_PAYLOAD_KEY_ID', 'FLOCK_PAYLOAD_COMPRESSION'])(
    'documents %s',
    (word) => {
      expect(WORKER_USAGE).toContain(word);
    },
  );
});
