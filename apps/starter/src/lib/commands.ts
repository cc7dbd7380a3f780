import { FlockConfigError, isFlockError } from '@flock-ts/config';
import { UnknownAgentError, type Flock, type FlockRunEvent, type StepRecord } from '@flock-ts/core';
import { buildFlockWorkflowStart, flockRunWebUiUrl, resolveConnection, type FlockRunsClient, type ResolvedConnection } from '@flock-ts/temporal';
import {
  EXIT,
  type CancelArgs,
  type FollowArgs,
  type ListArgs,
  type PauseArgs,
  type RespondArgs,
  type ResumeArgs,
  type RunArgs,
  type StarterCommand,
  type StepsArgs,
  type WorkflowArgs,
} from './cli';
import { CliUsageError, FlockModuleError } from '@flock-ts/temporal';
import {
  EventFormatter,
  flockctlCommand,
  formatCancelOutcome,
  formatJson,
  formatLimits,
  formatList,
  formatReceipt,
  formatResult,
  formatStarted,
  formatStatus,
  formatStepLine,
  formatStepLines,
  personWait,
} from './format';

/**
 * The part of {@link FlockRunsClient} the commands use: `events`,
 * `respond`, `pause`, `resume` and `cancel` talk to a running run.
 */
export type RunsApi = Pick<FlockRunsClient, 'start' | 'result' | 'status' | 'steps' | 'list' | 'events' | 'respond' | 'pause' | 'resume' | 'cancel' | 'close'>;

/** A flock that ships with flockctl, with what a demo run of it starts from. */
export interface ExampleFlock {
  flock: Flock;
  startAgent: string;
  input: Record<string, unknown>;
}

/** What commands need from the outside world; injectable for tests. */
export interface StarterDeps {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout(text: string): void;
  stderr(text: string): void;
  connect(connection: ResolvedConnection): Promise<RunsApi>;
  loadFlocks(specifiers: readonly string[], cwd: string): Promise<Flock[]>;
  exampleFlocks(): ExampleFlock[];
  /** Aborted when the user presses Ctrl-C: `follow` stops following (the run goes on). */
  interrupt?: AbortSignal;
}

/**
 * Executes a parsed `flockctl` command and returns the exit status. Errors
 * are printed (as `{ "error": ... }` with `--json`), never thrown.
 */
export async function executeCommand(command: StarterCommand, deps: StarterDeps): Promise<number> {
  const json = 'json' in command && command.json;
  try {
    switch (command.command) {
      case 'print':
        deps.stdout(command.text);
        return EXIT.ok;
      case 'run':
        return await runCommand(command, deps);
      case 'list':
        return await listCommand(command, deps);
      case 'steps':
        return await stepsCommand(command, deps);
      case 'follow':
        return await followCommand(command, deps);
      case 'respond':
        return await respondCommand(command, deps);
      case 'pause':
        return await pauseCommand(command, deps);
      case 'resume':
        return await resumeCommand(command, deps);
      case 'cancel':
        return await cancelCommand(command, deps);
      default:
        return await workflowCommand(command, deps);
    }
  } catch (error) {
    return reportError(error, command, deps, json);
  }
}

async function withClient<T>(connection: ResolvedConnection, deps: StarterDeps, fn: (client: RunsApi) => Promise<T>): Promise<T> {
  const client = await deps.connect(connection);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function plainConnection(args: { server?: string; namespace?: string }, deps: StarterDeps): ResolvedConnection {
  return resolveConnection({ serverUrl: args.server, namespace: args.namespace }, deps.env);
}

/**
 * The options a command printed for the user to type (`flockctl respond`,
 * `resume`) needs to reach the same run: `--server` / `--namespace` where
 * `connection` differs from what the environment alone gives.
 */
export function commandFlags(connection: ResolvedConnection, deps: Pick<StarterDeps, 'env'>): string[] {
  const plain = resolveConnection({}, deps.env);
  return [
    ...(connection.address !== plain.address ? ['--server', connection.address] : []),
    ...(connection.namespace !== plain.namespace ? ['--namespace', connection.namespace] : []),
  ];
}

async function pickFlock(args: RunArgs, deps: StarterDeps): Promise<{ flock: Flock; example?: ExampleFlock }> {
  const examples = args.flockModule === undefined ? deps.exampleFlocks() : [];
  const flocks = args.flockModule === undefined ? examples.map((example) => example.flock) : await deps.loadFlocks([args.flockModule], deps.cwd);
  const source = args.flockModule ?? 'the examples';
  let flock: Flock | undefined;
  if (args.flockName !== undefined) {
    flock = flocks.find((candidate) => candidate.name === args.flockName);
    if (!flock) {
      throw new FlockModuleError('FLOCK_MODULE_INVALID', source, `${source} has no flock named "${args.flockName}" (it has: ${flocks.map((f) => f.name).join(', ')})`);
    }
  } else if (flocks.length > 1 && args.flockModule !== undefined) {
    throw new CliUsageError(`${source} exports several flocks (${flocks.map((f) => f.name).join(', ')}): pick one with --flock-name`);
  } else {
    flock = flocks[0];
  }
  return { flock, example: examples.find((example) => example.flock === flock) };
}

async function runCommand(args: RunArgs, deps: StarterDeps): Promise<number> {
  const { flock, example } = await pickFlock(args, deps);
  const startAgent = args.agent ?? example?.startAgent ?? flock.agents[0]?.name;
  if (!startAgent) throw new CliUsageError(`flock ${flock.name} has no agents to start at`);
  const input = args.input ?? (example && startAgent === example.startAgent ? example.input : {});
  const config = flock.temporalConfig;
  // as flock.run() would connect: the flock's own settings first, then Temporal's env conventions
  const connection = resolveConnection({ ...config, serverUrl: args.server ?? config.serverUrl, namespace: args.namespace ?? config.namespace }, deps.env);
  const taskQueue = args.taskQueue ?? config.taskQueue ?? firstOf(deps.env['FLOCK_TASK_QUEUE']);
  const request = {
    startAgent,
    input,
    ...(args.sessionId ? { sessionId: args.sessionId } : {}),
    ...(args.runId ? { runId: args.runId } : {}),
    ...(taskQueue ? { taskQueue } : {}),
  };
  // what needs no server is checked before connecting: the start agent, the input (ids, secrets, size)
  buildFlockWorkflowStart(flock.toDefinition(), request);
  return withClient(connection, deps, async (client) => {
    const started = await client.start(flock, request);
    const summary = { flockName: flock.name, startAgent, ...started };
    if (args.follow) {
      // --json: the start summary on the first line, then one event per line
      deps.stdout(args.json ? `${JSON.stringify(summary)}\n` : formatStarted(flock.name, startAgent, started));
      return followEvents(client, started.workflowId, deps, {
        json: args.json,
        text: args.text ?? true,
        webUiUrl: started.webUiUrl,
        commandFlags: commandFlags(connection, deps),
      });
    }
    if (!args.wait) {
      deps.stdout(args.json ? formatJson(summary) : formatStarted(flock.name, startAgent, started));
      return EXIT.ok;
    }
    if (!args.json) {
      deps.stdout(formatStarted(flock.name, startAgent, started));
      deps.stderr('Waiting for the result (Ctrl-C stops waiting; the run goes on)...\n');
    }
    try {
      const result = await client.result(started.workflowId);
      deps.stdout(args.json ? formatJson({ ...summary, result }) : formatResult(started.workflowId, result));
      return EXIT.ok;
    } catch (error) {
      if (args.json) {
        deps.stdout(formatJson({ ...summary, error: describeError(error) }));
        return EXIT.failed;
      }
      throw error;
    }
  });
}

async function listCommand(args: ListArgs, deps: StarterDeps): Promise<number> {
  const runs = await withClient(plainConnection(args, deps), deps, (client) =>
    client.list({
      limit: args.limit,
      ...(args.flockName !== undefined ? { flockName: args.flockName } : {}),
      ...(args.sessionId !== undefined ? { sessionId: args.sessionId } : {}),
      ...(args.taskQueue !== undefined ? { taskQueue: args.taskQueue } : {}),
    }),
  );
  deps.stdout(args.json ? formatJson(runs) : formatList(runs));
  return EXIT.ok;
}

/**
 * Every step of a run from its step ledger. Without `--follow` the steps
 * are printed aligned once read (`--json`: one array of the whole records);
 * with it, each step as it finishes (`--json`: one record per line) until
 * the run closes.
 */
async function stepsCommand(args: StepsArgs, deps: StarterDeps): Promise<number> {
  return withClient(plainConnection(args, deps), deps, async (client) => {
    const ledger = client.steps(args.workflowId, { follow: args.follow });
    if (args.follow) {
      let count = 0;
      for await (const step of ledger) {
        deps.stdout(args.json ? `${JSON.stringify(step)}\n` : `${formatStepLine(step)}\n`);
        count++;
      }
      if (!args.json) deps.stdout(`Run ${args.workflowId} closed after ${count} step${count === 1 ? '' : 's'}.\n`);
      return EXIT.ok;
    }
    const steps: StepRecord[] = [];
    for await (const step of ledger) steps.push(step);
    deps.stdout(args.json ? formatJson(steps) : formatStepLines(steps));
    return EXIT.ok;
  });
}

async function workflowCommand(args: WorkflowArgs, deps: StarterDeps): Promise<number> {
  const connection = plainConnection(args, deps);
  return withClient(connection, deps, async (client) => {
    switch (args.command) {
      case 'result': {
        const result = await client.result(args.workflowId);
        deps.stdout(args.json ? formatJson({ workflowId: args.workflowId, ...result }) : formatResult(args.workflowId, result));
        return EXIT.ok;
      }
      case 'status': {
        const view = await client.status(args.workflowId);
        deps.stdout(args.json ? formatJson(view) : formatStatus(view, commandFlags(connection, deps)));
        return EXIT.ok;
      }
    }
  });
}

/** `resume`, with new budget limits after a budget pause (`--max-tokens`, `--max-model-calls`). */
async function resumeCommand(args: ResumeArgs, deps: StarterDeps): Promise<number> {
  return withClient(plainConnection(args, deps), deps, async (client) => {
    const status = await client.resume(args.workflowId, args.budget ? { budget: args.budget } : undefined);
    // the update may answer before the run has left its pause: it goes on now all the same (a budget pause may be within a step)
    const now = status.phase === 'paused' ? (args.budget ? 'it goes on now' : 'its next step starts now') : `phase now: ${status.phase}`;
    const raised = args.budget ? ` with ${formatLimits(args.budget)}` : '';
    deps.stdout(args.json ? formatJson({ workflowId: args.workflowId, ...status }) : `Resumed ${args.workflowId}${raised}; ${now}.\n`);
    return EXIT.ok;
  });
}

/** What a followed run's end means for the exit status. */
function exitOfEvent(event: FlockRunEvent): number | undefined {
  if (event.type === 'run-completed') return EXIT.ok;
  if (event.type === 'run-failed') return event.code === 'CANCELLED' ? EXIT.cancelled : EXIT.failed;
  return undefined;
}

interface FollowOptions {
  json: boolean;
  text: boolean;
  webUiUrl?: string;
  commandFlags: string[];
}

/**
 * Prints the run's events as they come until it ends (exit status: its
 * outcome) or Ctrl-C aborts `deps.interrupt` (the run goes on).
 */
async function followEvents(client: RunsApi, workflowId: string, deps: StarterDeps, options: FollowOptions): Promise<number> {
  const formatter = new EventFormatter({ workflowId, commandFlags: options.commandFlags, ...(options.webUiUrl ? { webUiUrl: options.webUiUrl } : {}) });
  const signal = deps.interrupt;
  const events = client.events(workflowId, { follow: true, text: options.text, ...(signal ? { signal } : {}) });
  let exit: number | undefined;
  try {
    for await (const event of untilAborted(events, signal)) {
      deps.stdout(options.json ? `${JSON.stringify(event)}\n` : formatter.format(event));
      exit = exitOfEvent(event);
      if (exit !== undefined) break;
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
  } finally {
    if (!options.json) deps.stdout(formatter.end());
  }
  if (exit !== undefined) return exit;
  if (signal?.aborted) {
    deps.stderr(`Stopped following ${workflowId}; the run goes on (${flockctlCommand(['follow', workflowId], options.commandFlags)} picks it up again).\n`);
    return EXIT.interrupted;
  }
  deps.stderr(`flockctl: the events of ${workflowId} ended before the run did\n`);
  return EXIT.failed;
}

/** `iterable`, ending as soon as `signal` aborts, whether or not the source reacts to the signal. */
async function* untilAborted<T>(iterable: AsyncIterable<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  if (!signal) {
    yield* { [Symbol.asyncIterator]: () => iterator };
    return;
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    onAbort = () => resolve({ done: true, value: undefined });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // let the source stop (it may be waiting on the server): not awaited, so Ctrl-C never waits for it
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

async function followCommand(args: FollowArgs, deps: StarterDeps): Promise<number> {
  const connection = plainConnection(args, deps);
  return withClient(connection, deps, (client) =>
    followEvents(client, args.workflowId, deps, {
      json: args.json,
      text: args.text,
      webUiUrl: flockRunWebUiUrl(connection, args.workflowId),
      commandFlags: commandFlags(connection, deps),
    }),
  );
}

async function respondCommand(args: RespondArgs, deps: StarterDeps): Promise<number> {
  return withClient(plainConnection(args, deps), deps, async (client) => {
    const receipt = await client.respond(args.workflowId, args.response);
    const approved = 'approved' in args.response ? args.response.approved : undefined;
    deps.stdout(
      args.json ? formatJson({ workflowId: args.workflowId, ...receipt, ...(approved !== undefined ? { approved } : {}) }) : formatReceipt(args.workflowId, receipt, approved),
    );
    return EXIT.ok;
  });
}

async function pauseCommand(args: PauseArgs, deps: StarterDeps): Promise<number> {
  const connection = plainConnection(args, deps);
  return withClient(connection, deps, async (client) => {
    const status = await client.pause(args.workflowId, args.reason);
    if (args.json) {
      deps.stdout(formatJson({ workflowId: args.workflowId, ...status }));
      return EXIT.ok;
    }
    const resume = flockctlCommand(['resume', args.workflowId], commandFlags(connection, deps));
    const wait = personWait(status);
    const now =
      status.phase === 'paused'
        ? 'it is paused now'
        : wait
          ? `it waits for ${wait.kind === 'input' ? 'input' : 'an approval'} at step ${wait.step + 1} ${wait.agent}; once answered, it pauses before its next step`
          : `the running step finishes, then it pauses at the next step boundary (phase now: ${status.phase})`;
    deps.stdout(`Pause requested for ${args.workflowId}: ${now}. Resume with: ${resume}\n`);
    return EXIT.ok;
  });
}

async function cancelCommand(args: CancelArgs, deps: StarterDeps): Promise<number> {
  return withClient(plainConnection(args, deps), deps, async (client) => {
    const outcome = await client.cancel(args.workflowId, { waitMs: Math.round(args.waitSeconds * 1000) });
    const ended = outcome === 'cancelled' || outcome === 'completed' || outcome === 'failed';
    // the task queue tells the user which worker the cancellation waits for
    const taskQueue = ended
      ? undefined
      : await client.status(args.workflowId).then(
          (view) => view.taskQueue,
          () => undefined,
        );
    deps.stdout(
      args.json
        ? formatJson({ workflowId: args.workflowId, cancelRequested: true, outcome, ended, ...(taskQueue ? { taskQueue } : {}) })
        : formatCancelOutcome(args.workflowId, outcome, taskQueue),
    );
    return ended ? EXIT.ok : EXIT.notEnded;
  });
}

/** The error as scripts see it: name, code, message, and what else the error carries. */
export function describeError(error: unknown): Record<string, unknown> {
  const e = (error ?? {}) as Record<string, unknown>;
  const described: Record<string, unknown> = { name: e['name'] ?? 'Error', message: e['message'] ?? String(error) };
  // reason, address, namespace: why Temporal could not be reached (TemporalUnreachableError)
  for (const key of ['code', 'reason', 'address', 'namespace', 'workflowId', 'failureType', 'agent', 'causeType', 'webUiUrl', 'specifier', 'issues'])
    if (e[key] !== undefined) described[key] = e[key];
  return described;
}

const GRPC_NOT_FOUND = 5;

function reportError(error: unknown, command: StarterCommand, deps: StarterDeps, json: boolean): number {
  const usage = error instanceof CliUsageError || error instanceof FlockModuleError || error instanceof UnknownAgentError || error instanceof FlockConfigError;
  let message = (error as Error | null)?.message ?? String(error);
  // the step ledger reads history through the raw service: its "not found" is gRPC status 5 (NOT_FOUND)
  const notFound = (error as { name?: string } | null)?.name === 'WorkflowNotFoundError' || (error as { code?: unknown } | null)?.code === GRPC_NOT_FOUND;
  if (notFound && 'workflowId' in command) message = `no run with workflow id ${command.workflowId} (${message})`;
  const refused = refusal(error);
  if (refused) message = refused;
  if (json) deps.stdout(formatJson({ error: { ...describeError(error), message } }));
  else deps.stderr(`flockctl: ${message}\n`);
  return usage ? EXIT.usage : refused ? EXIT.refused : EXIT.failed;
}

/** The run refused a response, a pause or a resume, in words; nothing changed. */
function refusal(error: unknown): string | undefined {
  if (isFlockError(error, 'INVALID_RESPONSE')) {
    const listed = (error as { issues?: unknown }).issues;
    const issues = Array.isArray(listed) ? listed.filter((issue): issue is string => typeof issue === 'string' && !error.message.includes(issue)) : [];
    return [`response refused: ${error.message}`, ...issues.map((issue) => `  - ${issue}`), 'The run keeps waiting; nothing changed.'].join('\n');
  }
  if (isFlockError(error, 'INVALID_RUN_COMMAND')) return `refused: ${error.message}; nothing changed.`;
  return undefined;
}

function firstOf(list: string | undefined): string | undefined {
  return list
    ?.split(',')
    .map((item) => item.trim())
    .find(Boolean);
}
