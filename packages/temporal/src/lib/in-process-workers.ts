import type { Flock } from '@flock-ts/core';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { ResolvedConnection } from './connection';
import { connectNative } from './connect';
import { InProcessWorkerStartError } from './errors';
import { ensureFlockSearchAttributes } from './flock-search-attributes';
import { flockClientOn } from './run-start';
import { createFlockWorker, type FlockWorker, type FlockWorkerOptions } from './worker-factory';

/**
 * Default {@link InProcessWorkersOptions.idleShutdownMs}: how long a flock's
 * in-process workers stay up once none of its runs is in flight. Running
 * workers keep Node's event loop alive, so a script that never calls
 * `flock.close()` ends this long after its last run.
 */
export const IN_PROCESS_WORKER_IDLE_MS = 1_500;

/** Makes one in-process worker; {@link createFlockWorker} by default. */
export type FlockWorkerFactory = (options: FlockWorkerOptions) => Promise<FlockWorker>;

/** Options of {@link InProcessWorkers}. */
export interface InProcessWorkersOptions {
  /** The flock whose agents the workers host. */
  flock: Flock;
  /** Where the workers (and the client that starts runs on them) connect. */
  connection: ResolvedConnection;
  /**
   * How long the workers stay up after the last lease was released, in ms
   * (default {@link IN_PROCESS_WORKER_IDLE_MS}; `0`: at once). The timer
   * never keeps the process alive by itself.
   */
  idleShutdownMs?: number;
  /** Makes each worker (default {@link createFlockWorker}); it gets `nativeConnection`, which it must not close. */
  createWorker?: FlockWorkerFactory;
  /** Opens the shared connection, ready for Flock runs (default {@link connectForFlockWorkers}). */
  connect?: (connection: ResolvedConnection) => Promise<NativeConnection>;
}

/** A hold on a flock's in-process workers while a run needs them. */
export interface InProcessWorkersLease {
  /**
   * A Flock client on the workers' own `NativeConnection`: runs it starts
   * with `requestEagerStart` hand their first workflow task straight to a
   * worker. Valid while the lease is held.
   */
  readonly client: Client;
  /** The run no longer needs the workers (idempotent). */
  release(): void;
}

/**
 * A `NativeConnection` for workers and the client that starts their runs,
 * with Flock's search attributes registered on the namespace (once per
 * process and namespace: FlockWorkflow upserts them). Memo size warnings
 * are off unless `connectionOptions.payloadLimits` says otherwise.
 */
export async function connectForFlockWorkers(resolved: ResolvedConnection): Promise<NativeConnection> {
  // an unreachable server fails within the connect deadline, saying why (TemporalUnreachableError)
  const connection = await connectNative({
    ...resolved,
    connectionOptions: {
      ...resolved.connectionOptions,
      // a run's memo is the flock's own definition, compact and compressed: under the SDK's 2 KiB
      // warning size for typical flocks, over it for big ones, where the server warns already
      // (@flock-ts/serialization README, "Memo"); a second warning per run would add nothing; payload warnings stay
      payloadLimits: resolved.connectionOptions.payloadLimits ?? { memoWarnSize: 0 },
    },
  });
  try {
    await ensureFlockSearchAttributes(connection, resolved);
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
  return connection;
}

/**
 * The in-process workers of one flock (`temporalStartInProcessWorker`): one
 * per task queue its agents use, all on one `NativeConnection` that the
 * client starting its runs shares. Started by the first
 * {@link acquire} (concurrent first calls share one start-up), polling
 * before it resolves, reused by every later run, shut down once no lease
 * has been held for {@link InProcessWorkersOptions.idleShutdownMs}, or at
 * once by {@link close}; a later `acquire` starts them again. A start-up
 * that fails rejects the `acquire` that needed it with an
 * `InProcessWorkerStartError` and is tried again by the next one. When the
 * SDK stops a worker by itself (SIGINT/SIGTERM, a fatal error), the set is
 * retired and the next `acquire` starts a new one.
 *
 * @example
 * const workers = new InProcessWorkers({ flock, connection: resolveConnection(flock.temporalConfig) });
 * const lease = await workers.acquire(['flock-queue']);
 * try {
 *   await startFlockWorkflow(lease.client, start, { eager: true });
 * } finally {
 *   lease.release();
 * }
 */
export class InProcessWorkers {
  private current: WorkerSet | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private started = 0;
  /** Sets shutting down (idle, closed, or a worker that stopped by itself). */
  private readonly stopping = new Set<Promise<void>>();

  constructor(private readonly options: InProcessWorkersOptions) {}

  /** How many workers this object has started so far (each task queue's once per start-up). */
  get workersStarted(): number {
    return this.started;
  }

  /** Whether workers are up or starting. */
  get active(): boolean {
    return this.current !== undefined;
  }

  /**
   * Holds the workers of `queues` (starting what is missing) until the
   * lease is released; resolves once each of them polls.
   */
  async acquire(queues: readonly string[]): Promise<InProcessWorkersLease> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const set = (this.current ??= new WorkerSet(
      this.options,
      () => this.started++,
      (retired) => this.retire(retired),
    ));
    set.users++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (--set.users === 0 && set === this.current) this.scheduleIdleShutdown(set);
    };
    try {
      const client = await set.ready(queues);
      if (set.retired) throw new Error('the flock was closed while its workers were starting');
      return { client, release };
    } catch (error) {
      release();
      const { flock, connection } = this.options;
      const reason = error instanceof Error ? error.message : String(error);
      throw new InProcessWorkerStartError(flock.name, connection.address, connection.namespace, [...queues], reason, { cause: error });
    }
  }

  /**
   * Shuts the workers down now (running tasks finish first) and closes
   * their connection; resolves once every worker of this object has
   * stopped (also those already shutting down after an idle time). Runs
   * still open stay on Temporal and go on once a worker polls their queue
   * again. Idempotent; a later {@link acquire} starts new workers.
   */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.current) void this.retire(this.current);
    await Promise.all(this.stopping);
  }

  private scheduleIdleShutdown(set: WorkerSet): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (set.users === 0) void this.retire(set);
    }, this.options.idleShutdownMs ?? IN_PROCESS_WORKER_IDLE_MS);
    // running workers keep the process alive anyway; this timer alone must not
    this.idleTimer.unref();
  }

  private retire(set: WorkerSet): Promise<void> {
    if (this.current === set) this.current = undefined;
    const stopped = set.stop();
    if (!this.stopping.has(stopped)) {
      this.stopping.add(stopped);
      void stopped.finally(() => this.stopping.delete(stopped));
    }
    return stopped;
  }
}

/** One start-up's connection, client and workers. */
class WorkerSet {
  users = 0;
  retired = false;
  private connected: Promise<{ connection: NativeConnection; client: Client }> | undefined;
  private readonly workers = new Map<string, Promise<FlockWorker>>();
  private readonly runs: Array<Promise<void>> = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly options: InProcessWorkersOptions,
    private readonly onWorkerStarted: () => void,
    private readonly onWorkerEnded: (set: WorkerSet) => void,
  ) {}

  /** The client, once a worker of each queue polls. */
  async ready(queues: readonly string[]): Promise<Client> {
    const { connection, client } = await this.connect();
    await Promise.all(queues.map((queue) => this.worker(queue, connection)));
    return client;
  }

  stop(): Promise<void> {
    this.retired = true;
    return (this.stopping ??= (async () => {
      const workers = await Promise.allSettled(this.workers.values());
      await Promise.all(workers.map((w) => (w.status === 'fulfilled' ? w.value.shutdown().catch(() => undefined) : undefined)));
      await Promise.allSettled(this.runs);
      const connected = await this.connected?.catch(() => undefined);
      await connected?.connection.close().catch(() => undefined);
    })());
  }

  private connect(): Promise<{ connection: NativeConnection; client: Client }> {
    if (!this.connected) {
      const { connection: resolved } = this.options;
      const connecting = (async () => {
        const connection = await (this.options.connect ?? connectForFlockWorkers)(resolved);
        return { connection, client: flockClientOn(connection, resolved) };
      })();
      this.connected = connecting;
      // a failed connection is tried again by the next start-up
      connecting.catch(() => {
        if (this.connected === connecting) this.connected = undefined;
      });
    }
    return this.connected;
  }

  private worker(queue: string, nativeConnection: NativeConnection): Promise<FlockWorker> {
    let pending = this.workers.get(queue);
    if (!pending) {
      const starting = this.startWorker(queue, nativeConnection);
      pending = starting;
      this.workers.set(queue, starting);
      // a worker that failed to start is tried again by the next start-up
      starting.catch(() => {
        if (this.workers.get(queue) === starting) this.workers.delete(queue);
      });
    }
    return pending;
  }

  private async startWorker(taskQueue: string, nativeConnection: NativeConnection): Promise<FlockWorker> {
    if (this.retired) throw new Error('the flock was closed while its workers were starting');
    const create = this.options.createWorker ?? createFlockWorker;
    const worker = await create({ connection: this.options.connection, nativeConnection, flocks: [this.options.flock], taskQueue });
    this.onWorkerStarted();
    let up = false;
    const running = worker.run();
    this.runs.push(running);
    // a worker that stops by itself (the SDK's shutdown signals, a fatal error) retires the set
    void running.then(
      () => up && this.onWorkerEnded(this),
      () => up && this.onWorkerEnded(this),
    );
    try {
      await worker.polling();
    } catch (error) {
      await worker.shutdown().catch(() => undefined);
      throw error;
    }
    up = true;
    return worker;
  }
}
