import { Flock, defineAgent } from '@flock-ts/core';
import { setupTelemetry } from '@flock-ts/telemetry';
import { InMemorySpanExporter } from '@flock-ts/telemetry/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FLOCK_REQUIRED_MESSAGE, type WorkerCliOptions } from './cli';
import { planWorker, type WorkerHost } from './run-worker';

const echo = defineAgent({ name: 'echo', input: 'text: string', output: 'text: string', evaluate: ({ text }) => ({ text }) });
const flockOn = (name: string, taskQueue?: string) => new Flock({ name, agents: [echo], ...(taskQueue ? { temporalConfig: { taskQueue } } : {}) });

let dir: string;
let lines: string[];

/** A host whose `--flock ./flocks.js` (the default of `cli()`) exports `flocks`. */
function host(overrides: Partial<WorkerHost> = {}, flocks: Flock[] = [flockOn('example')]): WorkerHost {
  return { env: {}, cwd: dir, log: (line) => lines.push(line), importModule: async () => ({ flocks }), ...overrides };
}

const cli = (overrides: Partial<WorkerCliOptions> = {}): WorkerCliOptions => ({
  taskQueues: [],
  flockModules: ['./flocks.js'],
  shutdownGraceSeconds: 10,
  ...overrides,
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'run-worker-'));
  // a path-like --flock must exist; what it exports comes from host().importModule
  writeFileSync(path.join(dir, 'flocks.js'), '');
  lines = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('planWorker', () => {
  it('hosts the flocks its --flock modules export, saying nothing about them yet', async () => {
    const plan = await planWorker(cli(), host());
    expect(plan.flocks.map((flock) => flock.name)).toEqual(['example']);
    expect(lines).toEqual([]);
  });

  it('refuses to plan without a --flock module: there are no default flocks', async () => {
    const importModule = jest.fn();
    await expect(planWorker(cli({ flockModules: [] }), host({ importModule }))).rejects.toMatchObject({
      name: 'CliUsageError',
      code: 'CLI_USAGE',
      message: FLOCK_REQUIRED_MESSAGE,
    });
    expect(importModule).not.toHaveBeenCalled();
  });

  it('polls the task queues the flocks declare when none is given', async () => {
    const plan = await planWorker(cli(), host({}, [flockOn('a', 'q-a'), flockOn('b'), flockOn('c', 'q-a')]));
    expect(plan.taskQueues).toEqual(['q-a', 'flock-agents']);
  });

  it('polls only the given task queues when there are some', async () => {
    const plan = await planWorker(cli({ taskQueues: ['agent-tasks'] }), host({}, [flockOn('a', 'q-a')]));
    expect(plan.taskQueues).toEqual(['agent-tasks']);
  });

  it('connects where the options say, over the environment', async () => {
    const env = { TEMPORAL_ADDRESS: 'env-host:7233', TEMPORAL_NAMESPACE: 'env-ns' };
    const fromOptions = await planWorker(cli({ server: 'temporal:7233', namespace: 'flock-example' }), host({ env }));
    expect([fromOptions.connection.address, fromOptions.connection.namespace]).toEqual(['temporal:7233', 'flock-example']);
    const fromEnv = await planWorker(cli(), host({ env }));
    expect([fromEnv.connection.address, fromEnv.connection.namespace]).toEqual(['env-host:7233', 'env-ns']);
  });

  it('uses the shipped workflow bundle when it exists', async () => {
    const shipped = path.join(dir, 'workflow-bundle.js');
    expect((await planWorker(cli(), host({ shippedBundlePath: shipped }))).workflowBundlePath).toBeUndefined();
    writeFileSync(shipped, '// bundle');
    expect((await planWorker(cli(), host({ shippedBundlePath: shipped }))).workflowBundlePath).toBe(shipped);
  });

  it('uses the encoded-failures variant of the shipped bundle when the payload codec encrypts', async () => {
    const shipped = path.join(dir, 'workflow-bundle.js');
    writeFileSync(shipped, '// bundle');
    const env = { FLOCK_PAYLOAD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), FLOCK_PAYLOAD_KEY_ID: 'k1' };
    const withoutVariant = await planWorker(cli(), host({ env, shippedBundlePath: shipped }));
    expect(withoutVariant.workflowBundlePath).toBeUndefined(); // bundled at start rather than leaving failure texts in plaintext
    expect(withoutVariant.connection.payloadCodec?.description).toBe('aes-256-gcm');
    writeFileSync(path.join(dir, 'workflow-bundle.encoded-failures.js'), '// bundle');
    expect((await planWorker(cli(), host({ env, shippedBundlePath: shipped }))).workflowBundlePath).toBe(path.join(dir, 'workflow-bundle.encoded-failures.js'));
    // compression alone keeps failure texts readable: the plain bundle
    expect((await planWorker(cli(), host({ env: { FLOCK_PAYLOAD_COMPRESSION: 'gzip' }, shippedBundlePath: shipped }))).workflowBundlePath).toBe(shipped);
  });

  it('picks the shipped variant by payload codec and by whether traces are exported', async () => {
    const shipped = path.join(dir, 'workflow-bundle.js');
    const files = ['workflow-bundle.js', 'workflow-bundle.traced.js', 'workflow-bundle.encoded-failures.js', 'workflow-bundle.encoded-failures.traced.js'];
    for (const file of files) writeFileSync(path.join(dir, file), '// bundle');
    const encrypting = { FLOCK_PAYLOAD_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), FLOCK_PAYLOAD_KEY_ID: 'k1' };
    const pick = async (env: Record<string, string>, tracing: boolean) => {
      const plan = await planWorker(cli(), host({ env, tracing, shippedBundlePath: shipped }));
      return [plan.workflowBundlePath && path.basename(plan.workflowBundlePath), plan.workflowTracing];
    };
    expect(await pick({}, false)).toEqual(['workflow-bundle.js', false]);
    expect(await pick({}, true)).toEqual(['workflow-bundle.traced.js', true]);
    expect(await pick(encrypting, false)).toEqual(['workflow-bundle.encoded-failures.js', false]);
    expect(await pick(encrypting, true)).toEqual(['workflow-bundle.encoded-failures.traced.js', true]);
    expect(await pick({ FLOCK_PAYLOAD_COMPRESSION: 'gzip' }, true)).toEqual(['workflow-bundle.traced.js', true]);
  });

  it('bundles at start (traced) when the traced variant is not shipped, rather than dropping the workflow spans', async () => {
    const shipped = path.join(dir, 'workflow-bundle.js');
    writeFileSync(shipped, '// bundle');
    const plan = await planWorker(cli(), host({ tracing: true, shippedBundlePath: shipped }));
    expect([plan.workflowBundlePath, plan.workflowTracing]).toEqual([undefined, true]);
  });

  it('wants the traced variant when telemetry is set up in the process, the lean one otherwise', async () => {
    const shipped = path.join(dir, 'workflow-bundle.js');
    for (const file of ['workflow-bundle.js', 'workflow-bundle.traced.js']) writeFileSync(path.join(dir, file), '// bundle');
    expect((await planWorker(cli(), host({ shippedBundlePath: shipped }))).workflowBundlePath).toBe(shipped);
    const telemetry = setupTelemetry({ exporter: new InMemorySpanExporter(), processor: 'simple' });
    try {
      const plan = await planWorker(cli(), host({ shippedBundlePath: shipped }));
      expect([plan.workflowBundlePath, plan.workflowTracing]).toEqual([path.join(dir, 'workflow-bundle.traced.js'), true]);
    } finally {
      await telemetry.shutdown();
    }
  });

  it('rejects a malformed FLOCK_PAYLOAD_* setting, naming the variable', async () => {
    await expect(planWorker(cli(), host({ env: { FLOCK_PAYLOAD_KEY_ID: 'k1' } }))).rejects.toMatchObject({
      name: 'PayloadCodecError',
      message: 'FLOCK_PAYLOAD_KEY_ID is set without FLOCK_PAYLOAD_ENCRYPTION_KEY',
    });
  });

  it('prefers --workflow-bundle, resolved from the working directory', async () => {
    writeFileSync(path.join(dir, 'mine.js'), '// bundle');
    writeFileSync(path.join(dir, 'workflow-bundle.traced.js'), '// bundle');
    const plan = await planWorker(cli({ workflowBundle: 'mine.js' }), host({ tracing: true, shippedBundlePath: path.join(dir, 'workflow-bundle.js') }));
    expect(plan.workflowBundlePath).toBe(path.join(dir, 'mine.js'));
  });

  it('rejects a --workflow-bundle that does not exist', async () => {
    await expect(planWorker(cli({ workflowBundle: 'nope.js' }), host())).rejects.toMatchObject({
      name: 'CliUsageError',
      message: `--workflow-bundle: no file at ${path.join(dir, 'nope.js')}`,
    });
  });

  it('loads --flock modules from the working directory', async () => {
    writeFileSync(path.join(dir, 'f.js'), "module.exports = { flock: { name: 'from-module', toDefinition() {}, agent() {}, temporalConfig: {} } };");
    const plan = await planWorker(cli({ flockModules: ['./f.js'] }), host({ importModule: async (file) => require(file) }));
    expect(plan.flocks.map((flock) => flock.name)).toEqual(['from-module']);
  });
});
