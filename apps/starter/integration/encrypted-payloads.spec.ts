/**
 * flockctl and flock-worker with FLOCK_PAYLOAD_* set: runs go through
 * encrypted and compressed; a flockctl without the key cannot read them
 * and says which key id it needs.
 */
import { randomUUID } from 'node:crypto';
import { runSource, spawnSource, stopChild, testServer, type ChildHandle } from '@flock-ts/tools';

const FLOCKCTL = 'apps/starter/src/main.ts';
const WORKER = 'apps/worker/src/main.ts';
const FIXTURE = 'apps/starter/integration/fixtures/test-flock.ts';

jest.setTimeout(120_000);

const suffix = randomUUID().slice(0, 8);
const flockName = `flockctl-codec-${suffix}`;
const taskQueue = `flockctl-codec-${suffix}`;
const server = testServer();
const connection = ['--server', server.address, '--namespace', server.namespace];
const keyEnv = {
  FLOCK_PAYLOAD_ENCRYPTION_KEY: Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 11 + 5) % 256)).toString('base64'),
  FLOCK_PAYLOAD_KEY_ID: `it-${suffix}`,
  FLOCK_PAYLOAD_COMPRESSION: 'gzip',
};
const env = { FLOCK_IT_FLOCK_NAME: flockName };

let worker: ChildHandle;

beforeAll(async () => {
  worker = spawnSource(WORKER, [...connection, '--task-queue', taskQueue, '--flock', FIXTURE], { ...env, ...keyEnv });
  await worker.waitForOutput(/polling task queue\(s\) /);
});

afterAll(async () => {
  if (worker) await stopChild(worker);
});

describe('encrypted payloads between flockctl and flock-worker', () => {
  it('the worker says which codec and key id it uses', () => {
    expect(worker.output()).toContain(`payload codec gzip+aes-256-gcm (key id it-${suffix})`);
  });

  it('a run started with the key completes; flockctl without it names the key id it lacks', async () => {
    const run = await runSource(
      FLOCKCTL,
      ['run', '--flock', FIXTURE, '--agent', 'upper', '--input', '{"text":"sealed"}', '--task-queue', taskQueue, '--wait', '--json', ...connection],
      { ...env, ...keyEnv },
    );
    expect(run.code).toBe(0);
    const started = JSON.parse(run.stdout) as { workflowId: string; result: { output: unknown } };
    expect(started.result.output).toEqual({ text: 'SEALED', length: 6 });

    const keyless = await runSource(FLOCKCTL, ['result', started.workflowId, '--json', ...connection], env);
    expect(keyless.code).toBe(1);
    const error = (JSON.parse(keyless.stdout) as { error: { name: string; code: string; message: string } }).error;
    expect(error).toMatchObject({ name: 'PayloadCodecError', code: 'ENCRYPTED_PAYLOAD' });
    expect(error.message).toContain(`key id "it-${suffix}"`);

    const keyed = await runSource(FLOCKCTL, ['result', started.workflowId, ...connection], { ...env, ...keyEnv });
    expect(keyed.code).toBe(0);
    expect(keyed.stdout).toContain('text: SEALED');
  });

  it('flockctl rejects a malformed key setting, naming the variable', async () => {
    const short = await runSource(FLOCKCTL, ['result', 'any-id', ...connection], { ...env, FLOCK_PAYLOAD_ENCRYPTION_KEY: 'c2hvcnQ=', FLOCK_PAYLOAD_KEY_ID: 'k1' });
    expect(short.code).toBe(1);
    expect(short.stderr).toBe('flockctl: FLOCK_PAYLOAD_ENCRYPTION_KEY is 5 bytes; AES-256-GCM needs 32 (openssl rand -base64 32)\n');
    const garbled = await runSource(FLOCKCTL, ['result', 'any-id', ...connection], { ...env, FLOCK_PAYLOAD_ENCRYPTION_KEY: 'short', FLOCK_PAYLOAD_KEY_ID: 'k1' });
    expect(garbled.stderr).toContain('FLOCK_PAYLOAD_ENCRYPTION_KEY is not base64');
  });
});
