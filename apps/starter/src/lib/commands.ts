import type { Flock, StepRecord } from '@flock-ts/core';
import { resolveConnection, type FlockRunsClient, type ResolvedConnection } from '@flock-ts/temporal';
import { COMMAND_USAGE, STARTER_USAGE, type ListArgs, type RunArgs, type StarterCommand, type StepsArgs, type WorkflowArgs } from './cli';
import { FlockModuleError } from '@flock-ts/temporal';
import { CliUsageError } from './errors';
import { formatJson, formatList, formatResult, formatStarted, formatStatus, formatStepLine, formatStepLines } from './format';

/** The part of {@link FlockRunsClient} the commands use. */
export type RunsApi = Pick<FlockRunsClient, 'start' | 'result' | 'status' | 'steps' | 'list' | 'cancel' | 'close'>;

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
}

/** Exit statuses: 0 done, 1 the run or Temporal said no, 2 the command line is wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Executes a parsed `flockctl` command and returns the exit status. Errors
 * are printed (as `{ "error": ... }` with `--json`), never thrown.
 */
export async function executeCommand(command: StarterCommand, deps: StarterDeps): Promise<number> {
  const json = 'json' in command && command.json;
  try {
    switch (command.command) {
      case 'help':
        deps.stdout(command.topic ? COMMAND_USAGE[command.topic] : STARTER_USAGE);
        return EXIT.ok;
      case 'run':
        return await runCommand(command, deps);
      case 'list':
        return await listCommand(command, deps);
      case 'steps':
        return await stepsCommand(command, deps);
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

async function pickFlock(args: RunArgs, deps: StarterDeps): Promise<{ flock: Flock; example?: ExampleFlock }> {
  const examples = args.flockModule === undefined ? deps.exampleFlocks() : [];
  const flocks = args.flockModule === undefined ? examples.map((example) => example.flock) : await deps.loadFlocks([args.flockModule], deps.cwd);
  const source = args.flockModule ?? 'the examples';
  let flock: Flock | undefined;
  if (args.flockName !== undefined) {
    flock = flocks.find((candidate) => candidate.name === args.flockName);
    if (!flock) {
      throw new FlockModuleError(
        'FLOCK_MODULE_INVALID',
        source,
        `${source} has no flock named "${args.flockName}" (it has: ${flocks.map((f) => f.name).join(', ')})`,
      );
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
  const connection = resolveConnection(
    { ...config, serverUrl: args.server ?? config.serverUrl, namespace: args.namespace ?? config.namespace },
    deps.env,
  );
  const taskQueue = args.taskQueue ?? config.taskQueue ?? firstOf(deps.env['FLOCK_TASK_QUEUE']);
  return withClient(connection, deps, async (client) => {
    const started = await client.start(flock, {
      startAgent,
      input,
      ...(args.sessionId ? { sessionId: args.sessionId } : {}),
      ...(args.runId ? { runId: args.runId } : {}),
      ...(taskQueue ? { taskQueue } : {}),
    });
    const summary = { flockName: flock.name, startAgent, ...started };
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
  return withClient(plainConnection(args, deps), deps, async (client) => {
    switch (args.command) {
      case 'result': {
        const result = await client.result(args.workflowId);
        deps.stdout(args.json ? formatJson({ workflowId: args.workflowId, ...result }) : formatResult(args.workflowId, result));
        return EXIT.ok;
      }
      case 'status': {
        const view = await client.status(args.workflowId);
        deps.stdout(args.json ? formatJson(view) : formatStatus(view));
        return EXIT.ok;
      }
      case 'cancel': {
        await client.cancel(args.workflowId);
        deps.stdout(
          args.json
            ? formatJson({ workflowId: args.workflowId, cancelRequested: true })
            : `Cancellation requested for ${args.workflowId}; it ends as cancelled once its current step reacts.\n`,
        );
        return EXIT.ok;
      }
    }
  });
}

/** The error as scripts see it: name, code, message, and what else the error carries. */
export function describeError(error: unknown): Record<string, unknown> {
  const e = (error ?? {}) as Record<string, unknown>;
  const described: Record<string, unknown> = { name: e['name'] ?? 'Error', message: e['message'] ?? String(error) };
  for (const key of ['code', 'workflowId', 'failureType', 'agent', 'causeType', 'webUiUrl', 'specifier']) if (e[key] !== undefined) described[key] = e[key];
  return described;
}

const GRPC_NOT_FOUND = 5;

function reportError(error: unknown, command: StarterCommand, deps: StarterDeps, json: boolean): number {
  const name = (error as { name?: string } | null)?.name;
  const usage = name === 'CliUsageError' || name === 'FlockModuleError' || name === 'UnknownAgentError' || name === 'FlockConfigError';
  let message = (error as Error | null)?.message ?? String(error);
  // the step ledger reads history through the raw service: its "not found" is gRPC status 5 (NOT_FOUND)
  const notFound = name === 'WorkflowNotFoundError' || (error as { code?: unknown } | null)?.code === GRPC_NOT_FOUND;
  if (notFound && 'workflowId' in command) message = `no run with workflow id ${command.workflowId} (${message})`;
  if (json) deps.stdout(formatJson({ error: { ...describeError(error), message } }));
  else deps.stderr(`flockctl: ${message}\n`);
  return usage ? EXIT.usage : EXIT.failed;
}

function firstOf(list: string | undefined): string | undefined {
  return list
    ?.split(',')
    .map((item) => item.trim())
    .find(Boolean);
}
