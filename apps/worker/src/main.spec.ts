/**
 * flock-worker as a real process (from its sources): --version, --help and
 * wrong options answer without touching Temporal; so does a start without
 * --flock (there are no default flocks: --flock @flock-ts/examples hosts them).
 */
import { runSource, spawnSource, getFreePort, startSilentServer, type SilentServer } from '@flock-ts/tools';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FLOCK_REQUIRED_MESSAGE } from './lib/cli';

const WORKER = 'apps/worker/src/main.ts';
const FIXTURE = 'apps/worker/integration/fixtures/worker-flock.ts';
const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

// a bundle that does not exist ends the start once the flocks are planned, before any connection
const STOP_AFTER_PLANNING = ['--workflow-bundle', 'no-such-bundle.js', '--log-level', 'silent'];

jest.setTimeout(60_000);

describe('flock-worker process', () => {
  it('prints the package version with --version and exits 0', async () => {
    expect(await runSource(WORKER, ['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints the options and their variables with --help and exits 0', async () => {
    const help = await runSource(WORKER, ['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: flock-worker \[options\]\n/);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('(env: TEMPORAL_MAX_CONCURRENCY)');
  });

  it('exits 2 on an unknown option, naming it once, with a suggestion', async () => {
    expect(await runSource(WORKER, ['--servr', 'temporal:7233'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "flock-worker: unknown option '--servr'\n(Did you mean --server?)\nRun flock-worker --help for the options.\n",
    });
  });

  it('exits 2 naming the variable when an environment variable holds a bad value', async () => {
    const result = await runSource(WORKER, [], { TEMPORAL_MAX_CONCURRENCY: 'lots' });
    expect(result).toMatchObject({ code: 2, stderr: 'flock-worker: TEMPORAL_MAX_CONCURRENCY must be a positive integer, got "lots"\n' });
  });

  it('exits 2 with a usage error when neither --flock nor FLOCK_MODULES names a flock module', async () => {
    expect(await runSource(WORKER, STOP_AFTER_PLANNING, { FLOCK_MODULES: '' })).toEqual({ code: 2, stdout: '', stderr: `flock-worker: ${FLOCK_REQUIRED_MESSAGE}\n` });
  });

  it.each(['@flock-ts/examples', '@flock-ts/examples/flocks', FIXTURE])('loads the flocks of --flock %s, then plans the start', async (module) => {
    const result = await runSource(WORKER, [...STOP_AFTER_PLANNING, '--flock', module], { FLOCK_MODULES: '' });
    // past the module (no FlockModuleError) to the missing bundle, which is checked after the flocks are loaded
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('Flock module');
    expect(result.stderr).toContain('--workflow-bundle: no file at');
  });
});

describe('flock-worker against a server it cannot reach', () => {
  let refusedAddress: string;
  let silent: SilentServer;
  let silentAddress: string;

  beforeAll(async () => {
    refusedAddress = `127.0.0.1:${await getFreePort()}`;
    silent = await startSilentServer();
    silentAddress = silent.address;
  });

  afterAll(() => silent.close());

  /** Starts a worker on `server`; how long it took from its "connecting to" log line to its exit, and what it said. */
  async function failedStart(server: string) {
    const worker = spawnSource(WORKER, ['--server', server, '--namespace', 'flock-ns', '--flock', FIXTURE, '--log-level', 'info']);
    // process start-up (loading the flock module from source) is not the connect's time
    await worker.waitForOutput(/connecting to /);
    const connecting = Date.now();
    const { code } = await worker.exited;
    return { code, output: worker.output(), connectMs: Date.now() - connecting };
  }

  it('exits 1 at once on a refused port, naming the address and the cause, without a stack', async () => {
    const result = await failedStart(refusedAddress);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      `flock-worker: Cannot reach Temporal at ${refusedAddress} (namespace flock-ns): connection refused. Is a Temporal server running there? ` +
        'Start one with `temporal server start-dev` (or `npm run temporal:dev` in the Flock repository), or point TEMPORAL_ADDRESS / --server / temporalConfig.serverUrl at yours.\n',
    );
    expect(result.output).not.toContain('    at ');
    expect(result.output).not.toContain('tonic::transport');
    expect(result.connectMs).toBeLessThan(1_000);
  });

  it('gives up on a port that never answers after the 3 s deadline (not the 30 s of the native bridge), saying so', async () => {
    const result = await failedStart(silentAddress);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      `flock-worker: Cannot reach Temporal at ${silentAddress} (namespace flock-ns): the server accepted the connection but did not answer within 3 s`,
    );
    expect(result.output).not.toContain('    at ');
    expect(result.connectMs).toBeLessThan(3_000 + 1_000);
  });
});
