import { DEFAULT_TASK_QUEUE } from '@flock-ts/config';
import type { Flock } from '@flock-ts/core';
import { currentTelemetryOrNoop } from '@flock-ts/telemetry';
import { CliUsageError, codecEncrypts, resolveConnection, type ResolvedConnection } from '@flock-ts/temporal';
import { createFlockWorker, type FlockWorker } from '@flock-ts/temporal/worker';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { FLOCK_REQUIRED_MESSAGE, type WorkerCliOptions } from './cli';
import { workflowBundleFile } from './workflow-bundle-file';
import { loadFlockModules, type ModuleImporter } from '@flock-ts/temporal';

type Signal = 'SIGINT' | 'SIGTERM';
const SIGNALS: Signal[] = ['SIGINT', 'SIGTERM'];
const SIGNAL_EXIT_CODES: Record<Signal, number> = { SIGINT: 130, SIGTERM: 143 };

/** What a worker run needs from its process; injectable for tests. */
export interface WorkerHost {
  env: Record<string, string | undefined>;
  cwd: string;
  log(line: string): void;
  /**
   * The lean bundle shipped next to the worker's entry point; the variant
   * the worker needs (`workflowBundleFile`) is looked up beside it and used
   * when present.
   */
  shippedBundlePath?: string;
  /**
   * Whether this process exports traces, so the worker wants the workflow
   * spans (the traced bundle). Default: telemetry is set up
   * (`currentTelemetryOrNoop().enabled`).
   */
  tracing?: boolean;
  importModule?: ModuleImporter;
  /** Where SIGINT/SIGTERM are heard (default: `process`). */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
  /** Ends the process at once on a second signal (default: `process.exit`). */
  exit?(code: number): void;
}

/** How long after its grace time a shutdown may still take before the worker is stopped by force. */
export const SHUTDOWN_FORCE_MARGIN_SECONDS = 10;

/** What a worker run decided, before it polls. */
export interface WorkerPlan {
  connection: ResolvedConnection;
  flocks: Flock[];
  taskQueues: string[];
  workflowBundlePath?: string;
  /** The bundle variant wanted: with the OpenTelemetry workflow interceptors (when bundling at start too). */
  workflowTracing: boolean;
}

/**
 * Resolves what to host and where: flock modules loaded (none given is a
 * {@link CliUsageError}: there are no default flocks), connection from
 * options over the environment, task queues from options or the flocks, and
 * the workflow bundle: `--workflow-bundle`, else the shipped variant for the
 * payload codec (encoded failures when it encrypts) and for tracing (traced
 * when this process exports traces), else none (bundled at start).
 */
export async function planWorker(options: WorkerCliOptions, host: WorkerHost): Promise<WorkerPlan> {
  if (options.flockModules.length === 0) throw new CliUsageError(FLOCK_REQUIRED_MESSAGE);
  const flocks = await loadFlockModules(options.flockModules, host.cwd, host.importModule);
  const connection = resolveConnection({ serverUrl: options.server, namespace: options.namespace }, host.env);
  const taskQueues = options.taskQueues.length ? options.taskQueues : [...new Set(flocks.map((flock) => flock.temporalConfig.taskQueue ?? DEFAULT_TASK_QUEUE))];
  const workflowTracing = host.tracing ?? currentTelemetryOrNoop().enabled;
  let workflowBundlePath: string | undefined;
  if (options.workflowBundle !== undefined) {
    workflowBundlePath = path.resolve(host.cwd, options.workflowBundle);
    if (!existsSync(workflowBundlePath)) throw new CliUsageError(`--workflow-bundle: no file at ${workflowBundlePath}`);
  } else if (host.shippedBundlePath) {
    // an encrypting codec wants failure texts encrypted too, exported traces the workflow spans:
    // the variant bundled for that, else bundle at start
    const variant = { encodeFailures: codecEncrypts(connection.payloadCodec), tracing: workflowTracing };
    const shipped = variant.encodeFailures || variant.tracing ? path.join(path.dirname(host.shippedBundlePath), workflowBundleFile(variant)) : host.shippedBundlePath;
    if (existsSync(shipped)) workflowBundlePath = shipped;
  }
  return { connection, flocks, taskQueues, workflowTracing, ...(workflowBundlePath ? { workflowBundlePath } : {}) };
}

/**
 * Runs a Flock worker until SIGINT or SIGTERM: one Temporal worker per task
 * queue, all sharing the flocks. The first signal drains (in-flight agent
 * steps get `shutdownGraceSeconds` to finish); a second one exits at once.
 * Resolves once every worker stopped cleanly; rejects when one failed.
 */
export async function runWorker(options: WorkerCliOptions, host: WorkerHost): Promise<void> {
  const plan = await planWorker(options, host);
  const signals = host.signals ?? process;
  const exit = host.exit ?? ((code: number) => process.exit(code));
  const workers: FlockWorker[] = [];
  let stopping = false;
  const onSignal = (signal: Signal) => {
    if (stopping) {
      host.log(`received ${signal} again: exiting without waiting for in-flight tasks`);
      exit(SIGNAL_EXIT_CODES[signal]);
      return;
    }
    stopping = true;
    host.log(`received ${signal}: draining in-flight tasks (agent steps get ${options.shutdownGraceSeconds}s); send it again to exit at once`);
    for (const worker of workers) void worker.shutdown().catch(() => undefined);
  };
  const handlers = SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, handler] of handlers) signals.on(signal, handler);

  try {
    host.log(
      `connecting to ${plan.connection.address}, namespace ${plan.connection.namespace}; ` +
        (plan.workflowBundlePath
          ? `workflow bundle ${plan.workflowBundlePath}`
          : `bundling workflow code at start (${plan.workflowTracing ? 'traced' : 'lean: no workflow spans'})`),
    );
    const codec = plan.connection.payloadCodec;
    if (codec) host.log(`payload codec ${codec.description}${codec.keyId ? ` (key id ${codec.keyId})` : ''}`);
    for (const taskQueue of plan.taskQueues) {
      workers.push(
        await createFlockWorker({
          connection: plan.connection,
          flocks: plan.flocks,
          taskQueue,
          ...(options.concurrency ? { concurrency: options.concurrency } : {}),
          ...(plan.workflowBundlePath ? { workflowBundlePath: plan.workflowBundlePath } : {}),
          workflowTracing: plan.workflowTracing,
          // after the grace time in-flight steps are cancelled and end (even agent code that ignores the signal);
          // the force time bounds the whole shutdown whatever else hangs
          workerOptions: {
            shutdownGraceTime: options.shutdownGraceSeconds * 1000,
            shutdownForceTime: (options.shutdownGraceSeconds + SHUTDOWN_FORCE_MARGIN_SECONDS) * 1000,
          },
        }),
      );
      if (stopping) break;
    }
    if (stopping) {
      await Promise.all(workers.map((worker) => worker.shutdown()));
      host.log('stopped before polling');
      return;
    }
    host.log(
      `polling task queue(s) ${plan.taskQueues.join(', ')} for flock(s) ${plan.flocks.map((f) => f.name).join(', ')}` +
        (options.concurrency ? ` with concurrency ${options.concurrency}` : ''),
    );
    const runs = workers.map((worker) => worker.run());
    const outcomes = await Promise.allSettled(
      runs.map((run) =>
        run.catch(async (error) => {
          // one failed worker takes the others down, so the process exits and gets restarted
          await Promise.all(workers.map((worker) => worker.shutdown().catch(() => undefined)));
          throw error;
        }),
      ),
    );
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    host.log('all tasks drained, worker stopped');
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.shutdown().catch(() => undefined)));
    throw error;
  } finally {
    for (const [signal, handler] of handlers) signals.off(signal, handler);
  }
}
