import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import { DEFAULT_SDK_LOG_LEVEL, ensureFlockRuntime, type SdkRuntimeClass } from './sdk-runtime';

const TOKEN = 'CiQwMWEyMTg2Ni1kNzk4LTcxMmYtOGFmYy0yZGZhMmE4ZDcxYTESJmYtZGQy';

/** A stand-in for Temporal's `Runtime` class: records the options set for the runtime the SDK will make. */
function fakeRuntime(state: { _instance?: unknown; instantiator?: 'install' | 'instance' } = {}) {
  const installs: RuntimeOptions[] = [];
  const runtime: SdkRuntimeClass = {
    ...state,
    get defaultOptions(): RuntimeOptions {
      return installs[installs.length - 1] ?? {};
    },
    set defaultOptions(options: RuntimeOptions) {
      installs.push(options);
    },
  };
  return { runtime, installs };
}

function captured() {
  const lines: string[] = [];
  return { destination: { write: (line: string) => lines.push(line) }, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** The logger the SDK would call, as installed. */
function sdkLogger(options: RuntimeOptions) {
  if (!options.logger) throw new Error('no logger installed');
  return options.logger;
}

function coreFilter(options: RuntimeOptions): string {
  const logging = options.telemetryOptions?.logging;
  if (!logging || !('forward' in logging)) throw new Error("Core's logs are not forwarded");
  return String(logging.filter);
}

describe('ensureFlockRuntime', () => {
  it("shows the SDK's warnings and errors only, by default, and Core's from WARN", () => {
    const { runtime, installs } = fakeRuntime();
    const out = captured();
    expect(ensureFlockRuntime({ runtime, env: {}, format: 'json', destination: out.destination })).toMatchObject({ owner: 'flock', level: 'warn' });
    expect(DEFAULT_SDK_LOG_LEVEL).toBe('warn');
    const logger = sdkLogger(installs[0]);
    logger.info('Worker state changed', { sdkComponent: 'worker', state: 'RUNNING' });
    logger.debug('Creating worker');
    logger.warn('No activities registered, not polling for activity tasks', { sdkComponent: 'worker' });
    logger.error('Workflow failed', { sdkComponent: 'workflow' });
    expect(out.records().map((r) => [r['level'], r['msg']])).toEqual([
      ['warn', 'No activities registered, not polling for activity tasks'],
      ['error', 'Workflow failed'],
    ]);
    expect(coreFilter(installs[0])).toContain('temporalio_sdk_core=WARN');
  });

  it('takes its level from FLOCK_LOG_LEVEL, and an explicit level over that', () => {
    const fromEnv = fakeRuntime();
    const out = captured();
    expect(ensureFlockRuntime({ runtime: fromEnv.runtime, env: { FLOCK_LOG_LEVEL: 'DEBUG' }, format: 'json', destination: out.destination })).toMatchObject({ level: 'debug' });
    sdkLogger(fromEnv.installs[0]).debug('Creating worker');
    sdkLogger(fromEnv.installs[0]).trace('Got activity task');
    expect(out.records().map((r) => r['msg'])).toEqual(['Creating worker']);
    expect(coreFilter(fromEnv.installs[0])).toContain('temporalio_sdk_core=DEBUG');

    const explicit = fakeRuntime();
    expect(ensureFlockRuntime({ runtime: explicit.runtime, level: 'silent', env: { FLOCK_LOG_LEVEL: 'trace' } })).toMatchObject({ level: 'silent' });
    expect(coreFilter(explicit.installs[0])).toContain('temporalio_sdk_core=ERROR');
  });

  it('refuses an unknown FLOCK_LOG_LEVEL, naming the variable, and installs nothing', () => {
    const { runtime, installs } = fakeRuntime();
    expect(() => ensureFlockRuntime({ runtime, env: { FLOCK_LOG_LEVEL: 'loud' } })).toThrow(
      expect.objectContaining({ name: 'TelemetryConfigError', code: 'UNKNOWN_LOG_LEVEL', setting: 'FLOCK_LOG_LEVEL' }),
    );
    expect(installs).toEqual([]);
  });

  it("redacts task tokens in the SDK's records that reach the logger", () => {
    const { runtime, installs } = fakeRuntime();
    const out = captured();
    ensureFlockRuntime({ runtime, env: { FLOCK_LOG_LEVEL: 'info' }, format: 'json', destination: out.destination });
    sdkLogger(installs[0]).info('Agent step completed', { sdkComponent: 'activity', activityType: 'runAgentStep', taskToken: TOKEN, agent: 'a' });
    expect(out.records()).toEqual([expect.objectContaining({ msg: 'Agent step completed', activityType: 'runAgentStep', agent: 'a', taskToken: '[redacted]' })]);
    expect(JSON.stringify(out.records())).not.toContain(TOKEN);
  });

  it('installs once: later calls return the same state', () => {
    const { runtime, installs } = fakeRuntime();
    const first = ensureFlockRuntime({ runtime, env: {} });
    expect(ensureFlockRuntime({ runtime, env: { FLOCK_LOG_LEVEL: 'debug' } })).toBe(first);
    expect(installs).toHaveLength(1);
  });

  it('leaves a runtime installed by the user alone, even one that has since shut down while idle', () => {
    for (const state of [{ _instance: {}, instantiator: 'install' as const }, { instantiator: 'install' as const }]) {
      const { runtime, installs } = fakeRuntime(state);
      expect(ensureFlockRuntime({ runtime, env: {} })).toEqual({ owner: 'existing' });
      expect(installs).toEqual([]);
    }
  });

  it("leaves the SDK's default runtime alone while it runs, and replaces it once it has shut down", () => {
    const running = fakeRuntime({ _instance: {}, instantiator: 'instance' });
    expect(ensureFlockRuntime({ runtime: running.runtime, env: {} })).toEqual({ owner: 'existing' });
    expect(running.installs).toEqual([]);
    const gone = fakeRuntime({ instantiator: 'instance' });
    expect(ensureFlockRuntime({ runtime: gone.runtime, env: {} })).toMatchObject({ owner: 'flock' });
    expect(gone.installs).toHaveLength(1);
  });

  describe("Temporal's own Runtime", () => {
    afterAll(async () => {
      await Runtime._instance?.shutdown();
    });

    it('makes no runtime by itself; the one the SDK makes for the first connection has our logger, its records redacted', () => {
      expect(Runtime._instance).toBeUndefined();
      const out = captured();
      const state = ensureFlockRuntime({ env: {}, format: 'json', destination: out.destination });
      expect(state).toMatchObject({ owner: 'flock', level: 'warn' });
      expect(ensureFlockRuntime()).toBe(state);
      // nothing native yet: a process whose connect fails is not held open
      expect(Runtime._instance).toBeUndefined();

      const runtime = Runtime.instance();
      runtime.logger.info('Worker state changed', { state: 'RUNNING' });
      runtime.logger.warn('Activity heartbeat failed', { sdkComponent: 'worker', taskToken: TOKEN });
      // forwarded logs are buffered (and sorted with Core's) before they reach the logger
      runtime.flushLogs();
      expect(out.records()).toEqual([expect.objectContaining({ level: 'warn', msg: 'Activity heartbeat failed', taskToken: '[redacted]' })]);
    });
  });
});
