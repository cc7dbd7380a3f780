import { RECENT_STEPS } from '@flock-ts/core';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './errors';

/** Options every command takes. */
export interface ConnectionArgs {
  /** `host:port`; unset means the flock's `serverUrl` (run), then env `TEMPORAL_ADDRESS`, then `localhost:7233`. */
  server?: string;
  namespace?: string;
  /** The queue a run starts on (`run`) or runs are filtered by (`list`). */
  taskQueue?: string;
  /** Machine-readable output: one JSON document on stdout. */
  json: boolean;
}

export interface RunArgs extends ConnectionArgs {
  command: 'run';
  /** Module exporting the flock; unset means the built-in examples. */
  flockModule?: string;
  /** Picks a flock when the module exports several. */
  flockName?: string;
  /** Start agent; unset means the flock's first agent. */
  agent?: string;
  /** Run input; unset means `{}` (or the example corpus for the example flock). */
  input?: Record<string, unknown>;
  sessionId?: string;
  runId?: string;
  wait: boolean;
}

export interface WorkflowArgs extends ConnectionArgs {
  command: 'result' | 'status' | 'cancel';
  workflowId: string;
}

export interface StepsArgs extends ConnectionArgs {
  command: 'steps';
  workflowId: string;
  /** Keep printing new steps until the run ends. */
  follow: boolean;
}

export interface ListArgs extends ConnectionArgs {
  command: 'list';
  flockName?: string;
  sessionId?: string;
  limit: number;
}

export type StarterCommand = RunArgs | WorkflowArgs | StepsArgs | ListArgs | { command: 'help'; topic?: string };

export const DEFAULT_LIST_LIMIT = 20;

/** Characters of a step's output that `flockctl steps` prints on the step's line. */
export const STEP_OUTPUT_WIDTH = 120;

const COMMON = {
  server: { type: 'string' },
  namespace: { type: 'string' },
  'task-queue': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const RUN = {
  ...COMMON,
  flock: { type: 'string' },
  'flock-name': { type: 'string' },
  agent: { type: 'string' },
  input: { type: 'string' },
  session: { type: 'string' },
  'run-id': { type: 'string' },
  wait: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

const STEPS = {
  ...COMMON,
  follow: { type: 'boolean', short: 'f' },
} as const satisfies ParseArgsConfig['options'];

const LIST = {
  ...COMMON,
  'flock-name': { type: 'string' },
  session: { type: 'string' },
  limit: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const CONNECTION_HELP = `Connection (every command):
  --server <host:port>    Temporal frontend (run: the flock's serverUrl first; then env
                          TEMPORAL_ADDRESS; default localhost:7233)
  --namespace <name>      Namespace (run: the flock's first; then env TEMPORAL_NAMESPACE; default "default")
  --task-queue <queue>    run: queue to start on (default: the flock's, then env FLOCK_TASK_QUEUE,
                          then flock-agents); list: only runs on this queue
  --json                  Print one JSON document (for scripts)
TLS and API keys follow Temporal's env conventions (TEMPORAL_API_KEY, TEMPORAL_TLS*, TEMPORAL_PROFILE).
Encrypted payloads: FLOCK_PAYLOAD_ENCRYPTION_KEY (32 bytes, base64) with FLOCK_PAYLOAD_KEY_ID, as the
workers have them (FLOCK_PAYLOAD_DECRYPTION_KEYS=id=base64,... for older keys); FLOCK_PAYLOAD_COMPRESSION=gzip.
`;

export const STARTER_USAGE = `Usage: flockctl <command> [options]

Starts and follows Flock runs on Temporal; workers (flock-worker) execute them.

Commands:
  run       Start a run of a flock
  result    Wait for a run's result
  status    Show a run's phase, current agent and latest steps
  steps     Print every step of a run with its output (--follow: as they finish)
  list      List Flock runs, newest first
  cancel    Request cancellation of a run
  help      Show help of a command

${CONNECTION_HELP}
Run "flockctl help <command>" for its options.
`;

export const COMMAND_USAGE: Record<string, string> = {
  run: `Usage: flockctl run [--flock <module>] [--agent <name>] [--input <json>|@file] [options]

Starts a run and prints its workflow id and Web UI link.

  --flock <module>        File or package exporting the flock ("default", "flock" or "flocks");
                          resolved from the current directory (default: the example flocks)
  --flock-name <name>     Which flock, when the module exports several
  --agent <name>          Start agent (default: the flock's first agent)
  --input <json>          Run input, a JSON object, or @file.json (default {})
  --session <id>          Session id (search attribute SessionId)
  --run-id <id>           Run id (default: a random UUID); the workflow id is <flock>-<run id>
  --wait / --no-wait      Wait for the result and print it (default --no-wait)

${CONNECTION_HELP}`,
  result: `Usage: flockctl result <workflowId> [options]

Waits for the run to close and prints its output; exits 1 when the run failed.

${CONNECTION_HELP}`,
  status: `Usage: flockctl status <workflowId> [options]

Prints the run's phase, current agent and its latest steps (live from the
workflow while a worker answers, else from Temporal's record); "flockctl steps"
prints every step with its output.

${CONNECTION_HELP}`,
  steps: `Usage: flockctl steps <workflowId> [--follow] [options]

Prints every finished step of the run, oldest first, read from its Temporal
history (across continue-as-new): number, agent, times and duration, and the
output as compact JSON (cut at ${STEP_OUTPUT_WIDTH} characters). Works for running and
closed runs; \`result\` and \`status\` keep only the latest ${RECENT_STEPS} steps.

  --follow, -f            Keep printing steps as they finish, until the run ends
  --json                  The whole step records (inputs, output, usage, times) as
                          a JSON array; with --follow, one record per line as it finishes

${CONNECTION_HELP}`,
  list: `Usage: flockctl list [--flock-name <name>] [--session <id>] [--limit <n>] [options]

Lists Flock runs, newest first, by the FlockName and SessionId search attributes.

  --flock-name <name>     Only runs of this flock
  --session <id>          Only runs of this session
  --limit <n>             At most n runs (default ${DEFAULT_LIST_LIMIT})

${CONNECTION_HELP}`,
  cancel: `Usage: flockctl cancel <workflowId> [options]

Requests cancellation; the run ends as cancelled once its current step reacts.

${CONNECTION_HELP}`,
};

/**
 * Parses a `flockctl` command line. Throws {@link CliUsageError} with a
 * message fit for the terminal.
 *
 * @example
 * parseStarterArgs(['run', '--flock', './flock.js', '--agent', 'reader', '--input', '{"folder":"docs"}'])
 */
export function parseStarterArgs(argv: readonly string[], cwd: string = process.cwd()): StarterCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    const topic = command === 'help' ? rest[0] : undefined;
    if (topic !== undefined && !(topic in COMMAND_USAGE)) throw new CliUsageError(`unknown command "${topic}"\n\n${STARTER_USAGE}`);
    return { command: 'help', ...(topic ? { topic } : {}) };
  }
  switch (command) {
    case 'run':
      return parseRun(rest, cwd);
    case 'result':
    case 'status':
    case 'cancel':
      return parseWorkflowCommand(command, rest);
    case 'steps':
      return parseSteps(rest);
    case 'list':
      return parseList(rest);
    default:
      throw new CliUsageError(`unknown command "${command}"\n\n${STARTER_USAGE}`);
  }
}

function parse<O extends ParseArgsConfig['options']>(command: string, argv: string[], options: O, allowPositionals: boolean) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals, allowNegative: true });
  } catch (error) {
    throw new CliUsageError(`${(error as Error).message}\nRun flockctl help ${command} for the options.`);
  }
}

function connection(values: { server?: string; namespace?: string; 'task-queue'?: string; json?: boolean }): ConnectionArgs {
  const server = nonEmpty(values.server, '--server');
  if (server !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(server)) {
    throw new CliUsageError(`--server takes host:port without a scheme, e.g. temporal:7233 (got ${server})`);
  }
  const namespace = nonEmpty(values.namespace, '--namespace');
  const taskQueue = nonEmpty(values['task-queue'], '--task-queue');
  return {
    ...(server !== undefined ? { server } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(taskQueue !== undefined ? { taskQueue } : {}),
    json: values.json ?? false,
  };
}

function parseRun(argv: string[], cwd: string): StarterCommand {
  const { values, positionals } = parse('run', argv, RUN, true);
  if (values.help) return { command: 'help', topic: 'run' };
  if (positionals.length) throw new CliUsageError(`run takes no positional arguments (got ${positionals.join(' ')}); pass the flock with --flock`);
  const optional = (key: 'flock' | 'flock-name' | 'agent' | 'session' | 'run-id', flag: string) => nonEmpty(values[key], flag);
  const flockModule = optional('flock', '--flock');
  const flockName = optional('flock-name', '--flock-name');
  const agent = optional('agent', '--agent');
  const sessionId = optional('session', '--session');
  const runId = optional('run-id', '--run-id');
  return {
    command: 'run',
    ...connection(values),
    ...(flockModule !== undefined ? { flockModule } : {}),
    ...(flockName !== undefined ? { flockName } : {}),
    ...(agent !== undefined ? { agent } : {}),
    ...(values.input !== undefined ? { input: parseInput(values.input, cwd) } : {}),
    ...(sessionId !== undefined ? { sessionId } : {}),
    ...(runId !== undefined ? { runId } : {}),
    wait: values.wait ?? false,
  };
}

function parseWorkflowCommand(command: WorkflowArgs['command'], argv: string[]): StarterCommand {
  const { values, positionals } = parse(command, argv, COMMON, true);
  if (values.help) return { command: 'help', topic: command };
  if (positionals.length !== 1 || !positionals[0].trim()) {
    throw new CliUsageError(`${command} takes one workflow id (got ${positionals.length ? positionals.join(' ') : 'none'})\n\n${COMMAND_USAGE[command]}`);
  }
  return { command, workflowId: positionals[0], ...connection(values) };
}

function parseSteps(argv: string[]): StarterCommand {
  const { values, positionals } = parse('steps', argv, STEPS, true);
  if (values.help) return { command: 'help', topic: 'steps' };
  if (positionals.length !== 1 || !positionals[0].trim()) {
    throw new CliUsageError(`steps takes one workflow id (got ${positionals.length ? positionals.join(' ') : 'none'})\n\n${COMMAND_USAGE['steps']}`);
  }
  return { command: 'steps', workflowId: positionals[0], follow: values.follow ?? false, ...connection(values) };
}

function parseList(argv: string[]): StarterCommand {
  const { values, positionals } = parse('list', argv, LIST, true);
  if (values.help) return { command: 'help', topic: 'list' };
  if (positionals.length) throw new CliUsageError(`list takes no positional arguments (got ${positionals.join(' ')})`);
  const limit = values.limit === undefined ? DEFAULT_LIST_LIMIT : Number(values.limit);
  if (!/^\d+$/.test(values.limit ?? '1') || limit < 1) throw new CliUsageError(`--limit must be a positive integer, got "${values.limit}"`);
  const flockName = nonEmpty(values['flock-name'], '--flock-name');
  const sessionId = nonEmpty(values.session, '--session');
  return {
    command: 'list',
    ...connection(values),
    ...(flockName !== undefined ? { flockName } : {}),
    ...(sessionId !== undefined ? { sessionId } : {}),
    limit,
  };
}

/** A JSON object given inline or as `@file`. */
export function parseInput(text: string, cwd: string): Record<string, unknown> {
  let source = text;
  let where = '--input';
  if (text.startsWith('@')) {
    const file = path.resolve(cwd, text.slice(1));
    where = `--input file ${file}`;
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliUsageError(`${where} cannot be read: ${(error as Error).message}`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new CliUsageError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliUsageError(`${where} must be a JSON object such as '{"folder":"docs"}'`);
  }
  return value as Record<string, unknown>;
}

function nonEmpty(value: string | undefined, what: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new CliUsageError(`${what} must not be empty`);
  return value?.trim();
}
