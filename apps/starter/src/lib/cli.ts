import { RECENT_STEPS, type FlockResponse } from '@flock-ts/core';
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliUsageError } from '@flock-ts/temporal';

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
  command: 'result' | 'status';
  workflowId: string;
}

export interface ResumeArgs extends ConnectionArgs {
  command: 'resume';
  workflowId: string;
  /** New limits for a run paused by its budget (`--max-tokens`, `--max-model-calls`). */
  budget?: { maxTokens?: number; maxModelCalls?: number };
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

/** Help or version text: printed on stdout, exit status 0. */
export interface PrintArgs {
  command: 'print';
  text: string;
}

export type StarterCommand = RunArgs | WorkflowArgs | ResumeArgs | StepsArgs | ListArgs | FollowArgs | RespondArgs | PauseArgs | CancelArgs | PrintArgs;

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
  /** The run refused the command and nothing changed: a response that does not match (it keeps waiting), a pause of a paused run, a resume of a running one (or of a budget pause without a higher limit). */
  refused: 4,
  /** `cancel`: the cancellation was requested but the run had not ended within `--wait`. */
  notEnded: 5,
  /** Ctrl-C stopped `follow` (the run goes on): 128 + SIGINT. */
  interrupted: 130,
} as const;

/** Characters of a step's output that `flockctl steps` prints on the step's line. */
export const STEP_OUTPUT_WIDTH = 120;

const EXIT_HELP = `
Exit status: 0 done (a followed run completed), 1 the run failed or Temporal
said no, 2 bad command line, 3 a followed run was cancelled, 4 the run refused
the command (nothing changed), 5 cancel: the run has not ended yet, 130 Ctrl-C
stopped following (the run goes on).`;

const CONNECTION_HELP = `
TLS and API keys follow Temporal's env conventions (TEMPORAL_API_KEY,
TEMPORAL_TLS*, TEMPORAL_PROFILE). Encrypted payloads: FLOCK_PAYLOAD_ENCRYPTION_KEY
(32 bytes, base64) with FLOCK_PAYLOAD_KEY_ID, as the workers have them
(FLOCK_PAYLOAD_DECRYPTION_KEYS=id=base64,... for older keys);
FLOCK_PAYLOAD_COMPRESSION=gzip.`;

/** What `--server`, `--namespace`, `--task-queue` and `--json` say on one command. */
interface ConnectionHelp {
  /** `run` reads the flock's own settings before the environment: its options are not env-backed. */
  run?: boolean;
  taskQueue?: string;
  json?: string;
}

/** The options every command takes, in their own help group. */
function withConnection(command: Command, help: ConnectionHelp = {}): Command {
  const server = help.run
    ? new Option('--server <host:port>', "Temporal frontend (default: the flock's serverUrl, then env TEMPORAL_ADDRESS, then localhost:7233)")
    : new Option('--server <host:port>', 'Temporal frontend (default localhost:7233)').env('TEMPORAL_ADDRESS');
  const namespace = help.run
    ? new Option('--namespace <name>', `Namespace (default: the flock's, then env TEMPORAL_NAMESPACE, then "default")`)
    : new Option('--namespace <name>', 'Namespace (default "default")').env('TEMPORAL_NAMESPACE');
  const taskQueue = new Option('--task-queue <queue>', help.taskQueue ?? 'Ignored here (run and list read it)');
  const json = new Option('--json', help.json ?? 'Print one JSON document (for scripts)');
  for (const option of [server, namespace, taskQueue, json]) command.addOption(option.helpGroup('Connection (every command):'));
  return command.addHelpText('after', CONNECTION_HELP);
}

/** A command about one run: `<workflowId>` and the connection options. */
function aboutOneRun(program: Command, name: string, summary: string, description: string): Command {
  return program.command(name).argument('<workflowId>', 'The run, as flockctl run printed it').summary(summary).description(description);
}

/**
 * The `flockctl` program: every command parses into a {@link StarterCommand}
 * handed to `done`; help and version text go to `out`.
 */
function starterProgram(cwd: string, done: (command: StarterCommand) => void, out: (text: string) => void): Command {
  const program = new Command('flockctl')
    .usage('<command> [options]')
    .description('Starts and follows Flock runs on Temporal; workers (flock-worker) execute them.')
    .version(packageVersion(), '-V, --version', 'Print the version')
    .helpOption('-h, --help', 'Show help')
    .helpCommand(false)
    // settings the commands below inherit: errors are thrown, text is collected
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out, outputError: () => undefined })
    .addHelpText('after', `${CONNECTION_HELP}\n${EXIT_HELP}\n\nRun "flockctl help <command>" for its options.`);

  withConnection(
    program
      .command('run')
      .summary('Start a run of a flock (--follow: print its events until it ends)')
      .description('Starts a run and prints its workflow id and Web UI link.')
      .option('--flock <module>', 'File or package exporting the flock ("default", "flock" or "flocks"); resolved from the current directory (default: the example flocks)')
      .option('--flock-name <name>', 'Which flock, when the module exports several')
      .option('--agent <name>', "Start agent (default: the flock's first agent)")
      .option('--input <json>', 'Run input, a JSON object, or @file.json (default {})')
      .option('--session <id>', 'Session id (search attribute SessionId)')
      .option('--run-id <id>', 'Run id (default: a random UUID); the workflow id is <flock>-<run id>')
      .option('--wait', 'Wait for the result and print it')
      .option('--no-wait', 'Only start the run (the default)')
      .option('-f, --follow', 'Print the run\'s events as they happen until it ends, as "flockctl follow" does (exit status: the run\'s outcome)')
      .addOption(new Option('--text').hideHelp())
      .option('--no-text', "With --follow: leave out the models' streamed text"),
    { run: true, taskQueue: "Queue to start on (default: the flock's, then env FLOCK_TASK_QUEUE, then flock-agents)" },
  ).action((options: RunOptions, command: Command) => done(runArgs(options, command, cwd)));

  withConnection(
    aboutOneRun(
      program,
      'follow',
      "Print a run's events live: steps, model text, waits, the result",
      "Prints the run's events as they happen, from its first step (a closed run's events are printed at once): each step as it starts and completes (duration, tokens, output preview), the models' text inline as it streams, what the run waits for with the \"flockctl respond\" command to type, responses, pauses, and the result or the failure. Ctrl-C stops following; the run goes on.\n\nExit status: 0 the run completed, 1 it failed (or was terminated / timed out), 3 it was cancelled, 130 Ctrl-C stopped following.",
    ).option('--no-text', "Leave out the models' streamed text"),
    { json: 'One JSON event per line (JSON Lines), as the run emits it (step numbers count from 0 there)' },
  ).action((workflowId: string, options: { text: boolean }, command: Command) =>
    done({ command: 'follow', workflowId: nonEmptyId(workflowId), text: options.text, ...connection(command) }),
  );

  withConnection(
    aboutOneRun(
      program,
      'respond',
      'Answer a run that waits for a person: --input <json>, --approve or --reject',
      'Answers what the run waits for ("flockctl status" and "flockctl follow" show it), with exactly one of --input, --approve or --reject. A response that does not match is refused (exit 4) with the reason; the run keeps waiting and nothing changed.',
    )
      .option('--input <json>', "The output of a human agent: a JSON object (or @file.json) matching the agent's output signature")
      .option('--approve', 'Approve the output an approval waits for')
      .option('--reject', "Reject it (the run fails, or the agent runs again when it is declared with onReject: 'redo')")
      .option('--comment <text>', 'With --approve / --reject: a comment for the record (and for the agent, on a redo)')
      .option('--step <n>', "Answer only if the run still waits at step n (the number flockctl prints, 1 = the run's first step)")
      .option('--by <name>', 'Who answers, for the record'),
  ).action((workflowId: string, options: RespondOptions, command: Command) =>
    done({ command: 'respond', workflowId: nonEmptyId(workflowId), response: response(options, cwd), ...connection(command) }),
  );

  withConnection(
    aboutOneRun(
      program,
      'pause',
      'Pause a run at the next step boundary',
      'Pauses the run at the next step boundary: the running step finishes first, no further step starts until "flockctl resume". Exit 4 when it is already paused.',
    ).option('--reason <text>', 'Why, for the record (shown by follow)'),
  ).action((workflowId: string, options: { reason?: string }, command: Command) => {
    const reason = nonEmpty(options.reason, '--reason');
    done({ command: 'pause', workflowId: nonEmptyId(workflowId), ...(reason !== undefined ? { reason } : {}), ...connection(command) });
  });

  withConnection(
    aboutOneRun(
      program,
      'resume',
      'Resume a paused run (--max-tokens / --max-model-calls: after a budget pause)',
      "Resumes a paused run. A run paused by its budget (budget onExceeded: 'pause'; \"flockctl status\" shows what was crossed) needs the crossed limit raised above what was used: the new limits replace that budget's (the run's, or the agent's own) for the rest of the run. Exit 4 when it is not paused, or when a budget pause is not raised; nothing changed then.",
    )
      .option('--max-tokens <n>', 'New token limit of the budget the run crossed')
      .option('--max-model-calls <n>', 'New model-call limit of the budget the run crossed'),
  ).action((workflowId: string, options: { maxTokens?: string; maxModelCalls?: string }, command: Command) => {
    const budget = resumeBudget(options);
    done({ command: 'resume', workflowId: nonEmptyId(workflowId), ...(budget ? { budget } : {}), ...connection(command) });
  });

  const workflowCommands: Array<[WorkflowArgs['command'], string, string]> = [
    ['result', "Wait for a run's result", 'Waits for the run to close and prints its output; exits 1 when the run failed.'],
    [
      'status',
      "Show a run's phase, current agent, what it waits for and latest steps",
      `Prints the run's phase (running, waiting, paused, completed, failed, cancelled), current agent, what it waits for (input or approval: agent, step, prompt, the signature to answer, deadline, and the "flockctl respond" command to type) and its latest steps (live from the workflow while a worker answers, else from Temporal's record); "flockctl steps" prints every step with its output.`,
    ],
  ];
  for (const [name, summary, description] of workflowCommands) {
    withConnection(aboutOneRun(program, name, summary, description)).action((workflowId: string, _options: unknown, command: Command) =>
      done({ command: name, workflowId: nonEmptyId(workflowId), ...connection(command) }),
    );
  }

  withConnection(
    aboutOneRun(
      program,
      'steps',
      'Print every step of a run with its output (--follow: as they finish)',
      `Prints every finished step of the run, oldest first, read from its Temporal history (across continue-as-new): number, agent, times and duration, and the output as compact JSON (cut at ${STEP_OUTPUT_WIDTH} characters). Works for running and closed runs; \`result\` and \`status\` keep only the latest ${RECENT_STEPS} steps.`,
    )
      .option('-f, --follow', 'Keep printing steps as they finish, until the run ends')
      .addOption(new Option('--no-follow').hideHelp()),
    { json: 'The whole step records (inputs, output, usage, times) as a JSON array; with --follow, one record per line as it finishes' },
  ).action((workflowId: string, options: { follow?: boolean }, command: Command) =>
    done({ command: 'steps', workflowId: nonEmptyId(workflowId), follow: options.follow ?? false, ...connection(command) }),
  );

  withConnection(
    program
      .command('list')
      .summary('List Flock runs, newest first')
      .description('Lists Flock runs, newest first, by the FlockName and SessionId search attributes.')
      .option('--flock-name <name>', 'Only runs of this flock')
      .option('--session <id>', 'Only runs of this session')
      .option('--limit <n>', `At most n runs (default ${DEFAULT_LIST_LIMIT})`),
    { taskQueue: 'Only runs on this queue' },
  ).action((options: { flockName?: string; session?: string; limit?: string }, command: Command) => {
    const limit = options.limit === undefined ? DEFAULT_LIST_LIMIT : Number(options.limit);
    if (!/^\d+$/.test(options.limit ?? '1') || limit < 1) throw new CliUsageError(`--limit must be a positive integer, got "${options.limit}"`);
    const flockName = nonEmpty(options.flockName, '--flock-name');
    const sessionId = nonEmpty(options.session, '--session');
    done({
      command: 'list',
      ...connection(command),
      ...(flockName !== undefined ? { flockName } : {}),
      ...(sessionId !== undefined ? { sessionId } : {}),
      limit,
    });
  });

  withConnection(
    aboutOneRun(
      program,
      'cancel',
      'Cancel a run and say how it ended',
      "Cancels the run: its running step is stopped, then the run ends cancelled. Waits for that and says what happened: cancelled, already completed/failed before the cancellation arrived, or not ended yet (exit 5; no worker runs the run's task queue, most likely: it ends once one does).",
    ).option('--wait <seconds>', `How long to wait for the run to end (default ${DEFAULT_CANCEL_WAIT_SECONDS}; 0 only requests it)`),
  ).action((workflowId: string, options: { wait?: string }, command: Command) => {
    const waitSeconds = options.wait === undefined ? DEFAULT_CANCEL_WAIT_SECONDS : Number(options.wait);
    if (options.wait !== undefined && (options.wait.trim() === '' || !Number.isFinite(waitSeconds) || waitSeconds < 0)) {
      throw new CliUsageError(`--wait takes the seconds to wait for the run to end (0 or more), got "${options.wait}"`);
    }
    done({ command: 'cancel', workflowId: nonEmptyId(workflowId), waitSeconds, ...connection(command) });
  });

  program
    .command('help')
    .argument('[command]', 'The command to explain')
    .description('Show help of a command')
    .action((topic: string | undefined) => {
      const target = topic === undefined ? program : program.commands.find((command) => command.name() === topic);
      if (!target) throw new CliUsageError(`unknown command '${topic}'\nRun "flockctl help" for the commands.`);
      target.outputHelp();
    });
  return program;
}

/**
 * Parses a `flockctl` command line; `--server` and `--namespace` fall back
 * to `TEMPORAL_ADDRESS` and `TEMPORAL_NAMESPACE` (except for `run`, where
 * the flock's own settings come first). Help and `--version` parse into
 * `{ command: 'print' }`. Throws {@link CliUsageError} with a message fit
 * for the terminal.
 *
 * @example
 * parseStarterArgs(['run', '--flock', './flock.js', '--agent', 'reader', '--input', '{"folder":"docs"}'])
 */
export function parseStarterArgs(argv: readonly string[], cwd: string = process.cwd()): StarterCommand {
  let parsed: StarterCommand | undefined;
  let text = '';
  const program = starterProgram(
    cwd,
    (command) => (parsed = command),
    (chunk) => (text += chunk),
  );
  try {
    program.parse(argv.length ? [...argv] : ['help'], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode !== 0) throw commanderUsageError(error, program, argv[0]);
  }
  return parsed ?? { command: 'print', text };
}

/** Commander's message without its `error: ` prefix, and where to read more. */
function commanderUsageError(error: CommanderError, program: Command, name: string | undefined): CliUsageError {
  const known = program.commands.some((command) => command.name() === name);
  const more = known ? `Run "flockctl help ${name}" for its options.` : 'Run "flockctl help" for the commands.';
  return new CliUsageError(`${error.message.replace(/^error: /, '')}\n${more}`);
}

/** The version in the app's package.json (two folders up from both src/lib and dist/lib). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

interface RunOptions {
  flock?: string;
  flockName?: string;
  agent?: string;
  input?: string;
  session?: string;
  runId?: string;
  wait?: boolean;
  follow?: boolean;
  text?: boolean;
}

function runArgs(options: RunOptions, command: Command, cwd: string): RunArgs {
  const optional = (key: 'flock' | 'flockName' | 'agent' | 'session' | 'runId', flag: string) => nonEmpty(options[key], flag);
  const flockModule = optional('flock', '--flock');
  const flockName = optional('flockName', '--flock-name');
  const agent = optional('agent', '--agent');
  const sessionId = optional('session', '--session');
  const runId = optional('runId', '--run-id');
  if (options.follow && options.wait) throw new CliUsageError('--wait and --follow both wait for the run: pick one (--follow prints its events too)');
  if (options.text !== undefined && !options.follow) throw new CliUsageError('--text / --no-text go with --follow');
  return {
    command: 'run',
    ...connection(command),
    ...(flockModule !== undefined ? { flockModule } : {}),
    ...(flockName !== undefined ? { flockName } : {}),
    ...(agent !== undefined ? { agent } : {}),
    ...(options.input !== undefined ? { input: parseInput(options.input, cwd) } : {}),
    ...(sessionId !== undefined ? { sessionId } : {}),
    ...(runId !== undefined ? { runId } : {}),
    wait: options.wait ?? false,
    ...(options.follow ? { follow: true, text: options.text ?? true } : {}),
  };
}

/** The connection options of `command`, named by their flag or the variable they came from. */
function connection(command: Command): ConnectionArgs {
  const server = setting(command, 'server');
  if (server.value !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(server.value)) {
    throw new CliUsageError(`${server.what} takes host:port without a scheme, e.g. temporal:7233 (got ${server.value})`);
  }
  const namespace = setting(command, 'namespace').value;
  const taskQueue = setting(command, 'taskQueue').value;
  return {
    ...(server.value !== undefined ? { server: server.value } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(taskQueue !== undefined ? { taskQueue } : {}),
    json: command.getOptionValue('json') === true,
  };
}

/**
 * A string option of `command`, trimmed, with what to call it in an error:
 * its flag, or the environment variable it came from (an empty variable
 * counts as unset; an empty flag is an error).
 */
function setting(command: Command, key: string): { value?: string; what: string } {
  const option = command.options.find((candidate) => candidate.attributeName() === key);
  const fromEnv = command.getOptionValueSource(key) === 'env';
  const what = (fromEnv ? option?.envVar : option?.long) ?? key;
  const value = command.getOptionValue(key) as string | undefined;
  if (fromEnv && !value?.trim()) return { what };
  return { value: nonEmpty(value, what), what };
}

function nonEmptyId(workflowId: string): string {
  if (!workflowId.trim()) throw new CliUsageError('the workflow id must not be empty');
  return workflowId;
}

interface RespondOptions {
  input?: string;
  approve?: boolean;
  reject?: boolean;
  comment?: string;
  step?: string;
  by?: string;
}

/**
 * `respond`: exactly one of `--input`, `--approve`, `--reject`; `--step`
 * as flockctl prints steps (from 1), sent as the engine counts them (from 0).
 */
function response(options: RespondOptions, cwd: string): FlockResponse {
  const given = (['input', 'approve', 'reject'] as const).filter((key) => options[key] !== undefined);
  if (given.length !== 1) {
    throw new CliUsageError(
      given.length === 0
        ? "respond needs one of --input <json> (a human agent's output), --approve or --reject"
        : `respond takes one of --input, --approve, --reject (got ${given.map((key) => `--${key}`).join(' and ')})`,
    );
  }
  if (options.comment !== undefined && options.input !== undefined) {
    throw new CliUsageError("--comment goes with --approve or --reject; an --input answer is the agent's output only");
  }
  const step = options.step === undefined ? undefined : stepNumber(options.step);
  const by = nonEmpty(options.by, '--by');
  const extra = { ...(step !== undefined ? { step } : {}), ...(by !== undefined ? { by } : {}) };
  return options.input !== undefined
    ? { output: parseInput(options.input, cwd), ...extra }
    : { approved: options.approve === true, ...(options.comment !== undefined ? { comment: options.comment } : {}), ...extra };
}

/** `resume --max-tokens n --max-model-calls n` as new budget limits; `undefined` without either. */
function resumeBudget(options: { maxTokens?: string; maxModelCalls?: string }): ResumeArgs['budget'] {
  const limit = (text: string | undefined, flag: string) => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new CliUsageError(`${flag} takes a positive integer (the new limit), got "${text}"`);
    return Number(text);
  };
  const maxTokens = limit(options.maxTokens, '--max-tokens');
  const maxModelCalls = limit(options.maxModelCalls, '--max-model-calls');
  if (maxTokens === undefined && maxModelCalls === undefined) return undefined;
  return { ...(maxTokens !== undefined ? { maxTokens } : {}), ...(maxModelCalls !== undefined ? { maxModelCalls } : {}) };
}

/** `--step n` (from 1) as the engine's step index (from 0). */
function stepNumber(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new CliUsageError(`--step takes the step number flockctl prints (1 = the run's first step), got "${text}"`);
  }
  return Number(text) - 1;
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
