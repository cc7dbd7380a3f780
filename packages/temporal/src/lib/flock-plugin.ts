import { createFlockActivities } from '@flock-ts/activities';
import type { Flock } from '@flock-ts/core';
import type { FlockPayloadCodec } from '@flock-ts/serialization/codec';
import { currentTelemetryOrNoop } from '@flock-ts/telemetry';
import type { ClientOptions, WorkflowClientInterceptor } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { SimplePlugin } from '@temporalio/plugin';
import type { BundleOptions, ReplayWorkerOptions, WorkerOptions, WorkflowBundleOption } from '@temporalio/worker';
import { flockClientInterceptors } from './client-tracing';
import { flockDataConverter } from './data-converter';
import { failSoftCodec } from './fail-soft-codec';
import { flockPreloadModules, flockWorkflowsPath, withSourceCondition } from './workflow-bundle';
import { flockWorkflowInterceptorModules, flockWorkflowSinks, withFlockTracing } from './worker-tracing';

/** Options of {@link FlockPlugin}. */
export interface FlockPluginOptions {
  /** Flocks whose agent code the worker hosts (none for a client or a replayer). */
  flocks?: Flock[];
  /** Compression / encryption of payloads, e.g. `resolveConnection().payloadCodec`; the same on clients and workers. */
  payloadCodec?: PayloadCodec | FlockPayloadCodec;
  /**
   * Prebuilt workflow code (`bundleFlockWorkflows`, or the bundle
   * `flock-worker` ships). Without it, and when the worker has no workflow
   * code of its own, the SDK bundles Flock's workflows as the worker is created.
   */
  workflowBundle?: WorkflowBundleOption;
  /**
   * Workflow spans (the OpenTelemetry workflow interceptors) in workflow
   * code the SDK bundles; a prebuilt bundle decides for itself. Default:
   * whether telemetry is set up in this process (`setupTelemetry`) when the
   * plugin is made.
   */
  tracing?: boolean;
  /** Interval of a running step's liveness heartbeat (see `createFlockActivities`). */
  heartbeatIntervalMs?: number;
  /** Longest time a step's heartbeat is held back (default {@link DEFAULT_HEARTBEAT_THROTTLE_MS}). */
  heartbeatThrottleMs?: number;
}

/**
 * Default heartbeat throttle of Flock workers: a running step's streamed
 * text and a cancellation reach it within about 250 ms (Temporal's default
 * holds heartbeats back for up to 80% of the heartbeat timeout).
 */
export const DEFAULT_HEARTBEAT_THROTTLE_MS = 250;

/**
 * Flock on Temporal's Plugin API: add it to your own `Worker.create` (and
 * `Client`) to host flocks next to your workflows. It adds:
 * - workers: the flocks' activities, the Flock data converter (its payload
 *   converter is in the workflow code too), tracing interceptors and the
 *   sink workflow spans leave through, Flock's bundler settings, and
 *   Flock's workflows when the worker has no workflow code of its own
 *   (with your own `workflowsPath`, export Flock's from it:
 *   `export * from '@flock-ts/workflows'`); prompt heartbeats and a short
 *   sticky-queue timeout unless you set them;
 * - clients: the data converter and the interceptors that carry a run's trace.
 *
 * @example
 * const worker = await Worker.create({
 *   connection, taskQueue: 'flock-queue',
 *   workflowsPath: require.resolve('./workflows'), // exports your workflows and `export * from '@flock-ts/workflows'`
 *   activities: myActivities,
 *   plugins: [new FlockPlugin({ flocks: [flock] })],
 * });
 */
export class FlockPlugin extends SimplePlugin {
  // only what later hooks need: the SDK logs its plugins with the worker options at debug level
  private readonly flock: { tracing: boolean; workflowBundle?: WorkflowBundleOption; heartbeatThrottleMs?: number };

  constructor(options: FlockPluginOptions = {}) {
    const codec = options.payloadCodec;
    const flocks = options.flocks ?? [];
    super({
      name: 'flock-ts.FlockPlugin',
      // a payload the codec can never decode fails its run, not the workflow task forever
      dataConverter: flockDataConverter({ codec: codec && failSoftCodec(codec) }),
      ...(flocks.length
        ? {
            activities: createFlockActivities({
              flocks,
              ...(options.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
            }),
          }
        : {}),
    });
    this.flock = {
      tracing: options.tracing ?? currentTelemetryOrNoop().enabled,
      ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
      ...(options.heartbeatThrottleMs !== undefined ? { heartbeatThrottleMs: options.heartbeatThrottleMs } : {}),
    };
  }

  /** Client options with the data converter and, after yours, the interceptor that carries a run's trace. */
  override configureClient(options: ClientOptions): ClientOptions {
    const configured = super.configureClient(options);
    const workflow = configured.interceptors?.workflow;
    if (workflow !== undefined && !Array.isArray(workflow)) throw new TypeError("FlockPlugin needs workflow client interceptors as an array (the SDK's current form)");
    return { ...configured, interceptors: { ...configured.interceptors, workflow: [...(workflow ?? []), ...(flockClientInterceptors().workflow as WorkflowClientInterceptor[])] } };
  }

  /** Worker options with Flock added; what you set yourself wins where the two differ only in tuning. */
  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker(this.withWorkflowCode(options));
    return {
      // A run's next workflow task goes to the worker that ran the last one. When that worker died,
      // Temporal waits this long before any worker may take it (SDK default 10 s): it bounds
      // recovery after a crash. Flock workflow tasks are small, so a busy worker missing it costs little.
      stickyQueueScheduleToStartTimeout: '3s',
      // heartbeats carry streamed text to followers and bring cancellations back: send them promptly
      maxHeartbeatThrottleInterval: this.flock.heartbeatThrottleMs ?? DEFAULT_HEARTBEAT_THROTTLE_MS,
      ...configured,
      ...withFlockTracing(configured),
      // read only when the SDK bundles (a workflowsPath); a prebuilt bundle has them already
      ...(configured.workflowsPath
        ? { bundlerOptions: { ...configured.bundlerOptions, preloadModules: [...(configured.bundlerOptions?.preloadModules ?? []), ...flockPreloadModules()] } }
        : {}),
    };
  }

  /** Replay workers get the data converter, Flock's workflows (unless they have their own) and the span sink. */
  override configureReplayWorker(options: ReplayWorkerOptions): ReplayWorkerOptions {
    const configured = super.configureReplayWorker(this.withWorkflowCode(options));
    return { ...configured, sinks: { ...flockWorkflowSinks(), ...configured.sinks } };
  }

  /** Bundles the SDK makes: workflow spans when tracing, the packages' sources when this process reads them. */
  override configureBundler(options: BundleOptions): BundleOptions {
    const configured = super.configureBundler(options);
    const userHook = configured.webpackConfigHook;
    return {
      ...configured,
      workflowInterceptorModules: [...(configured.workflowInterceptorModules ?? []), ...flockWorkflowInterceptorModules({ tracing: this.flock.tracing })],
      webpackConfigHook: (config) => withSourceCondition(userHook ? userHook(config) : config),
    };
  }

  /** The worker's own workflow code, else the prebuilt bundle given, else Flock's workflows for the SDK to bundle. */
  private withWorkflowCode<T extends Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>>(options: T): T {
    if (options.workflowsPath || options.workflowBundle) return options;
    return this.flock.workflowBundle ? { ...options, workflowBundle: this.flock.workflowBundle } : { ...options, workflowsPath: flockWorkflowsPath() };
  }
}
