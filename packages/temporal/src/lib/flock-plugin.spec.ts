import { Flock } from '@flock-ts/core';
import { createFlockPayloadCodec } from '@flock-ts/serialization/codec';
import type { WorkerOptions } from '@temporalio/worker';
import { DEFAULT_HEARTBEAT_THROTTLE_MS, FlockPlugin } from './flock-plugin';
import { flockPreloadModules, flockWorkflowsPath } from './workflow-bundle';

const flock = new Flock({
  name: 'plugged',
  agents: [{ name: 'echo', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text }) }],
});
const base: WorkerOptions = { taskQueue: 'q' };
const PAYLOAD_CONVERTER = require.resolve('@flock-ts/serialization/payload-converter');

describe('FlockPlugin', () => {
  it('adds the activities, data converter, tracing, preloaded modules and Flock workflows to a bare worker', () => {
    const options = new FlockPlugin({ flocks: [flock], tracing: false }).configureWorker({ ...base });
    expect(Object.keys(options.activities ?? {})).toEqual(expect.arrayContaining(['evaluateAgent']));
    expect(options.dataConverter?.payloadConverterPath).toBe(PAYLOAD_CONVERTER);
    expect(options.workflowsPath).toBe(flockWorkflowsPath());
    expect(options.workflowBundle).toBeUndefined();
    expect(options.interceptors?.activity).toHaveLength(1);
    expect(Object.keys(options.sinks ?? {})).toEqual(['exporter']);
    expect(options.bundlerOptions?.preloadModules).toEqual(flockPreloadModules());
    expect(options.maxHeartbeatThrottleInterval).toBe(DEFAULT_HEARTBEAT_THROTTLE_MS);
    expect(options.stickyQueueScheduleToStartTimeout).toBe('3s');
  });

  it("keeps the worker's own activities, workflow code, interceptors, sinks and tuning", () => {
    const mine = { greet: async () => 'hi' };
    const interceptor = () => ({});
    const sink = { log: { fn: () => undefined } };
    const options = new FlockPlugin({ flocks: [flock], heartbeatThrottleMs: 900 }).configureWorker({
      ...base,
      activities: mine,
      workflowsPath: '/my/workflows.js',
      interceptors: { activity: [interceptor] },
      sinks: { mine: sink },
      stickyQueueScheduleToStartTimeout: '7s',
      bundlerOptions: { preloadModules: ['my-lib'] },
    });
    expect(options.activities).toMatchObject({ greet: mine.greet });
    expect(Object.keys(options.activities ?? {}).length).toBeGreaterThan(1);
    expect(options.workflowsPath).toBe('/my/workflows.js');
    // Flock's span interceptor first, so the user's run inside its span
    expect(options.interceptors?.activity).toHaveLength(2);
    expect(options.interceptors?.activity?.[1]).toBe(interceptor);
    expect(Object.keys(options.sinks ?? {}).sort()).toEqual(['exporter', 'mine']);
    expect(options.stickyQueueScheduleToStartTimeout).toBe('7s');
    expect(options.maxHeartbeatThrottleInterval).toBe(900);
    expect(options.bundlerOptions?.preloadModules).toEqual(['my-lib', ...flockPreloadModules()]);
  });

  it('hands a prebuilt bundle to a worker without workflow code of its own', () => {
    const workflowBundle = { codePath: '/shipped/workflow-bundle.js' };
    const bundled = new FlockPlugin({ workflowBundle }).configureWorker({ ...base });
    expect(bundled.workflowBundle).toBe(workflowBundle);
    // the SDK ignores (and warns about) bundler options beside a prebuilt bundle
    expect(bundled.bundlerOptions).toBeUndefined();
    expect(new FlockPlugin({ workflowBundle }).configureWorker({ ...base, workflowsPath: '/mine.js' }).workflowBundle).toBeUndefined();
  });

  it('keeps no flock, telemetry or interceptor in its fields (the SDK logs plugins with the worker options)', () => {
    expect(() => JSON.stringify(new FlockPlugin({ flocks: [flock], tracing: true }))).not.toThrow();
    expect(JSON.stringify(new FlockPlugin({ flocks: [flock] }))).not.toContain('plugged');
  });

  it('puts the payload codec on clients and workers, and the trace interceptor on clients after theirs', () => {
    const codec = createFlockPayloadCodec({ compression: 'gzip' });
    const plugin = new FlockPlugin({ payloadCodec: codec });
    const client = plugin.configureClient({});
    expect(client.dataConverter?.payloadConverterPath).toBe(PAYLOAD_CONVERTER);
    expect(client.dataConverter?.payloadCodecs).toHaveLength(1);
    expect(client.interceptors?.workflow).toHaveLength(1);
    const theirs = {};
    expect(plugin.configureClient({ interceptors: { workflow: [theirs] } }).interceptors?.workflow).toEqual([theirs, expect.anything()]);
    expect(plugin.configureWorker({ ...base }).dataConverter?.payloadCodecs).toHaveLength(1);
  });

  it('adds the workflow span interceptors to bundles the SDK makes only when tracing', () => {
    const traced = new FlockPlugin({ tracing: true }).configureBundler({ workflowsPath: '/w.js' });
    const lean = new FlockPlugin({ tracing: false }).configureBundler({ workflowsPath: '/w.js' });
    expect(traced.workflowInterceptorModules).toEqual([expect.stringContaining('interceptors-opentelemetry')]);
    expect(lean.workflowInterceptorModules).toEqual([]);
    expect(typeof lean.webpackConfigHook).toBe('function');
  });

  it('gives replay workers the data converter, Flock workflows and the span sink', () => {
    const options = new FlockPlugin().configureReplayWorker({});
    expect(options.dataConverter?.payloadConverterPath).toBe(PAYLOAD_CONVERTER);
    expect(options.workflowsPath).toBe(flockWorkflowsPath());
    expect(Object.keys(options.sinks ?? {})).toEqual(['exporter']);
  });
});
