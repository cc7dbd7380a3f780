/**
 * flockctl as a real process (from its sources): the command line answers
 * --version, --help and a wrong option without touching Temporal; an
 * unreachable server is named, with its cause, in one line and no stack.
 */
import { runSource, getFreePort, startSilentServer, type SilentServer } from '@flock-ts/tools';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const FLOCKCTL = 'apps/starter/src/main.ts';
const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };

jest.setTimeout(60_000);

describe('flockctl process', () => {
  it('prints the package version with --version and exits 0', async () => {
    expect(await runSource(FLOCKCTL, ['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints the commands with --help and a command help with help <command>, exiting 0', async () => {
    const help = await runSource(FLOCKCTL, ['--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: flockctl <command> \[options\]\n/);
    expect(help.stdout).toContain('respond [options] <workflowId>');
    const run = await runSource(FLOCKCTL, ['help', 'run']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^Usage: flockctl run \[options\]\n/);
  });

  it('exits 2 on an unknown option, naming it once, with the command help to read', async () => {
    expect(await runSource(FLOCKCTL, ['status', 'some-run', '--agent', 'reader'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `flockctl: unknown option '--agent'\nRun "flockctl help status" for its options.\n`,
    });
  });
});

describe('flockctl against a server it cannot reach', () => {
  let refusedAddress: string;
  let silent: SilentServer;
  let silentAddress: string;

  beforeAll(async () => {
    refusedAddress = `127.0.0.1:${await getFreePort()}`;
    silent = await startSilentServer();
    silentAddress = silent.address;
  });

  afterAll(() => silent.close());

  async function timed(args: string[], env: Record<string, string> = {}) {
    const started = Date.now();
    const result = await runSource(FLOCKCTL, args, { TEMPORAL_NAMESPACE: 'flock-ns', ...env });
    return { ...result, elapsedMs: Date.now() - started };
  }

  it('exits 1 at once on a refused port, naming the address and the cause, without a stack', async () => {
    const result = await timed(['list'], { TEMPORAL_ADDRESS: refusedAddress });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      `flockctl: Cannot reach Temporal at ${refusedAddress} (namespace flock-ns): connection refused. Is a Temporal server running there? ` +
        'Start one with `temporal server start-dev` (or `npm run temporal:dev` in the Flock repository), or point TEMPORAL_ADDRESS / --server / temporalConfig.serverUrl at yours.\n',
    );
    expect(result.stderr).not.toContain('    at ');
    expect(result.elapsedMs).toBeLessThan(3_500);
  });

  it('gives up on a port that never answers after the 3 s deadline, saying so', async () => {
    const result = await timed(['status', 'some-run', '--server', silentAddress]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`flockctl: Cannot reach Temporal at ${silentAddress} (namespace flock-ns): the server accepted the connection but did not answer within 3 s`);
    expect(result.stderr).not.toContain('    at ');
    expect(result.elapsedMs).toBeLessThan(6_000);
  });

  it('says why with --json too: reason, address and namespace for scripts', async () => {
    const result = await timed(['list', '--json', '--server', refusedAddress]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: expect.objectContaining({ name: 'TemporalUnreachableError', code: 'TEMPORAL_UNREACHABLE', reason: 'refused', address: refusedAddress, namespace: 'flock-ns' }),
    });
  });
});
