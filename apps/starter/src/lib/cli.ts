import { RECENT_STEPS, type FlockResponse } from '@flock-ts/core';
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
  /** After starting, print the run's events as they happen (as `follow` does) until it ends. */
  follow?: boolean;
  /** With `follow`: stream the models' text too (default true; `--no-text` turns it off). */
  text?: boolean;
}

export interface WorkflowArgs extends ConnectionArgs {
  command: 'result' | 'status' | 'resume';
  workflowId: string;
}

export interface FollowArgs extends ConnectionArgs {
  command: 'follow';
  workflowId: string;
  /** Stream the models' text as it arrives (`--no-text`: only the other events). */
  text: boolean;
}

export interface RespondArgs extends ConnectionArgs {
  command: 'respond';
  workflowId: string;
  /** What is sent; its `step` counts from 0 as the engine does (`--step` counts from 1, as flockctl prints steps). */
  response: FlockResponse;
}

export interface PauseArgs extends ConnectionArgs {
  command: 'pause';
  workflowId: string;
  reason?: string;
}

export interface CancelArgs extends ConnectionArgs {
  command: 'cancel';
  workflowId: string;
  /** How long to wait for the run to end after the cancellation request. */
  waitSeconds: number;
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

export type StarterCommand =
  | RunArgs
  | WorkflowArgs
  | StepsArgs
  | ListArgs
  | FollowArgs
  | RespondArgs
  | PauseArgs
  | CancelArgs
  | { command: 'help'; topic?: string };

export const DEFAULT_LIST_LIMIT = 20;

/** Seconds `flockctl cancel` waits for the run to end, unless `--wait` says otherwise. */
export const DEFAULT_CANCEL_WAIT_SECONDS = 30;

/**
 * Exit statuses of `flockctl`. `follow` (and `run --follow`) exit with the
 * run's outcome: `ok` completed, `failed` failed, `cancelled` cancelled.
 */
export const EXIT = {
  /** Done; a followed run completed. */
  ok: 0,
  /** The run failed (or was terminated / timed out), or Temporal said no (unknown workflow id, unreachable server). */
  failed: 1,
  /** The command line or the flock module is wrong. */
  usage: 2,
  /** A followed run ended cancelled. */
  cancelled: 3,
  /** The run refused the command and nothing changed: a response that does not match (it keeps waiting), a pause of a paused run, a resume of a running one. */
  refused: 4,
  /** `cancel`: the cancellation was requested but the run had not ended within `--wait`. */
  notEnded: 5,
  /** Ctrl-C stopped `follow` (the run goes on): 128 + SIGINT. */
  interrupted: 130,
} as const;

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
  follow: { type: 'boolean', short: 'f' },
  text: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

const FOLLOW = {
  ...COMMON,
  text: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

const RESPOND = {
  ...COMMON,
  input: { type: 'string' },
  approve: { type: 'boolean' },
  reject: { type: 'boolean' },
  comment: { type: 'string' },
  step: { type: 'string' },
  by: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const PAUSE = {
  ...COMMON,
  reason: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const CANCEL = {
  ...COMMON,
  wait: { type: 'string' },
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

const EXIT_HELP = `Exit status: 0 done (a followed run completed), 1 the run failed or Temporal said no,
2 bad command line, 3 a followed run was cancelled, 4 the run refused the command (nothing
changed), 5 cancel: the run has not ended yet, 130 Ctrl-C stopped following (the run goes on).
`;

export const STARTER_USAGE = `Usage: flockctl <command> [options]

Starts and follows Flock runs on Temporal; workers (flock-worker) execute them.

Commands:
  run       Start a run of a flock (--follow: print its events until it ends)
  follow    Print a run's events live: steps, model text, waits, the result
  respond   Answer a run that waits for a person: --input <json>, --approve or --reject
  pause     Pause a run at the next step boundary
  resume    Resume a paused run
  result    Wait for a run's result
  status    Show a run's phase, current agent, what it waits for and latest steps
  steps     Print every step of a run with its output (--follow: as they finish)
  list      List Flock runs, newest first
  cancel    Cancel a run and say how it ended
  help      Show help of a command

${CONNECTION_HELP}
${EXIT_HELP}
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
  --follow, -f            Print the run's events as they happen until it ends, as
                          "flockctl follow" does (exit status: the run's outcome)
  --no-text               With --follow: leave out the models' streamed text

${CONNECTION_HELP}`,
  follow: `Usage: flockctl follow <workflowId> [--no-text] [--json] [options]

Prints the run's events as they happen, from its first step (a closed run's
events are printed at once): each step as it starts and completes (duration,
tokens, output preview), the models' text inline as it streams, what the run
waits for with the "flockctl respond" command to type, responses, pauses, and
the result or the failure. Ctrl-C stops following; the run goes on.

  --no-text               Leave out the models' streamed text
  --json                  One JSON event per line (JSON Lines), as the run emits it
                          (step numbers count from 0 there)

Exit status: 0 the run completed, 1 it failed (or was terminated / timed out),
3 it was cancelled, 130 Ctrl-C stopped following.

${CONNECTION_HELP}`,
  respond: `Usage: flockctl respond <workflowId> (--input <json> | --approve | --reject) [options]

Answers what the run waits for ("flockctl status" and "flockctl follow" show it):
  --input <json>          The output of a human agent: a JSON object (or @file.json)
                          matching the agent's output signature
  --approve               Approve the output an approval waits for
  --reject                Reject it (the run fails, or the agent runs again when it
                          is declared with onReject: 'redo')
  --comment <text>        With --approve / --reject: a comment for the record (and
                          for the agent, on a redo)
  --step <n>              Answer only if the run still waits at step n (the number
                          flockctl prints, 1 = the run's first step)
  --by <name>             Who answers, for the record

A response that does not match is refused (exit 4) with the reason; the run
keeps waiting and nothing changed.

${CONNECTION_HELP}`,
  pause: `Usage: flockctl pause <workflowId> [--reason <text>] [options]

Pauses the run at the next step boundary: the running step finishes first, no
further step starts until "flockctl resume". Exit 4 when it is already paused.

  --reason <text>         Why, for the record (shown by follow)

${CONNECTION_HELP}`,
  resume: `Usage: flockctl resume <workflowId> [options]

Resumes a paused run. Exit 4 when it is not paused.

${CONNECTION_HELP}`,
  result: `Usage: flockctl result <workflowId> [options]

Waits for the run to close and prints its output; exits 1 when the run failed.

${CONNECTION_HELP}`,
  status: `Usage: flockctl status <workflowId> [options]

Prints the run's phase (running, waiting, paused, completed, failed, cancelled),
current agent, what it waits for (input or approval: agent, step, prompt, the
signature to answer, deadline, and the "flockctl respond" command to type) and
its latest steps (live from the workflow while a worker answers, else from
Temporal's record); "flockctl steps" prints every step with its output.

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
  cancel: `Usage: flockctl cancel <workflowId> [--wait <seconds>] [options]

Cancels the run: its running step is stopped, then the run ends cancelled.
Waits for that and says what happened: cancelled, already completed/failed
before the cancellation arrived, or not ended yet (exit 5; no worker runs the
run's task queue, most likely: it ends once one does).

  --wait <seconds>        How long to wait for the run to end (default ${DEFAULT_CANCEL_WAIT_SECONDS};
                          0 only requests it)

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
    case 'resume':
      return parseWorkflowCommand(command, rest);
    case 'follow':
      return parseFollow(rest);
    case 'respond':
      return parseRespond(rest, cwd);
    case 'pause':
      return parsePause(rest);
    case 'cancel':
      return parseCancel(rest);
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
  if (values.follow && values.wait) throw new CliUsageError('--wait and --follow both wait for the run: pick one (--follow prints its events too)');
  if (values.text !== undefined && !values.follow) throw new CliUsageError('--text / --no-text go with --follow');
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
    ...(values.follow ? { follow: true, text: values.text ?? true } : {}),
  };
}

function parseWorkflowCommand(command: WorkflowArgs['command'], argv: string[]): StarterCommand {
  const { values, positionals } = parse(command, argv, COMMON, true);
  if (values.help) return { command: 'help', topic: command };
  return { command, workflowId: oneWorkflowId(command, positionals), ...connection(values) };
}

/** The one positional argument of a command about one run. */
function oneWorkflowId(command: string, positionals: string[]): string {
  if (positionals.length !== 1 || !positionals[0].trim()) {
    throw new CliUsageError(`${command} takes one workflow id (got ${positionals.length ? positionals.join(' ') : 'none'})\n\n${COMMAND_USAGE[command]}`);
  }
  return positionals[0];
}

function parseFollow(argv: string[]): StarterCommand {
  const { values, positionals } = parse('follow', argv, FOLLOW, true);
  if (values.help) return { command: 'help', topic: 'follow' };
  return { command: 'follow', workflowId: oneWorkflowId('follow', positionals), text: values.text ?? true, ...connection(values) };
}

/**
 * `respond`: exactly one of `--input`, `--approve`, `--reject`; `--step`
 * as flockctl prints steps (from 1), sent as the engine counts them (from 0).
 */
function parseRespond(argv: string[], cwd: string): StarterCommand {
  const { values, positionals } = parse('respond', argv, RESPOND, true);
  if (values.help) return { command: 'help', topic: 'respond' };
  const workflowId = oneWorkflowId('respond', positionals);
  const given = (['input', 'approve', 'reject'] as const).filter((key) => values[key] !== undefined && values[key] !== false);
  if (given.length !== 1) {
    throw new CliUsageError(
      given.length === 0
        ? 'respond needs one of --input <json> (a human agent\'s output), --approve or --reject'
        : `respond takes one of --input, --approve, --reject (got ${given.map((key) => `--${key}`).join(' and ')})`,
    );
  }
  if (values.comment !== undefined && values.input !== undefined) {
    throw new CliUsageError('--comment goes with --approve or --reject; an --input answer is the agent\'s output only');
  }
  const step = values.step === undefined ? undefined : stepNumber(values.step);
  const by = nonEmpty(values.by, '--by');
  const extra = { ...(step !== undefined ? { step } : {}), ...(by !== undefined ? { by } : {}) };
  const response: FlockResponse =
    values.input !== undefined
      ? { output: parseInput(values.input, cwd), ...extra }
      : { approved: values.approve === true, ...(values.comment !== undefined ? { comment: values.comment } : {}), ...extra };
  return { command: 'respond', workflowId, response, ...connection(values) };
}

/** `--step n` (from 1) as the engine's step index (from 0). */
function stepNumber(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new CliUsageError(`--step takes the step number flockctl prints (1 = the run's first step), got "${text}"`);
  }
  return Number(text) - 1;
}

function parsePause(argv: string[]): StarterCommand {
  const { values, positionals } = parse('pause', argv, PAUSE, true);
  if (values.help) return { command: 'help', topic: 'pause' };
  const reason = nonEmpty(values.reason, '--reason');
  return { command: 'pause', workflowId: oneWorkflowId('pause', positionals), ...(reason !== undefined ? { reason } : {}), ...connection(values) };
}

function parseCancel(argv: string[]): StarterCommand {
  const { values, positionals } = parse('cancel', argv, CANCEL, true);
  if (values.help) return { command: 'help', topic: 'cancel' };
  const workflowId = oneWorkflowId('cancel', positionals);
  const waitSeconds = values.wait === undefined ? DEFAULT_CANCEL_WAIT_SECONDS : Number(values.wait);
  if (values.wait !== undefined && (values.wait.trim() === '' || !Number.isFinite(waitSeconds) || waitSeconds < 0)) {
    throw new CliUsageError(`--wait takes the seconds to wait for the run to end (0 or more), got "${values.wait}"`);
  }
  return { command: 'cancel', workflowId, waitSeconds, ...connection(values) };
}

function parseSteps(argv: string[]): StarterCommand {
  const { values, positionals } = parse('steps', argv, STEPS, true);
  if (values.help) return { command: 'help', topic: 'steps' };
  return { command: 'steps', workflowId: oneWorkflowId('steps', positionals), follow: values.follow ?? false, ...connection(values) };
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
