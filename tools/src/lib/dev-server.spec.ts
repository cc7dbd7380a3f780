import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, isAlive } from '../../integration/support';
import { startDevServer } from './dev-server';

// Stand-ins for the `temporal` binary: real processes that never serve gRPC,
// to check flags, failure reports and that nothing is left running.
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'flock-dev-server-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function fakeCli(body: string): string {
  const path = join(root, 'temporal');
  mkdirSync(root, { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho "$@" > '${join(root, 'args.txt')}'\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const readArgs = () => readFileSync(join(root, 'args.txt'), 'utf8').trim();
const readPids = () => readFileSync(join(root, 'pids.txt'), 'utf8').trim().split(/\s+/).map(Number);

describe('startDevServer with a server that cannot start', () => {
  it('reports an early exit with the output of the server', async () => {
    const cliPath = fakeCli('echo "bad flag --frobnicate" >&2; exit 3');

    await expect(startDevServer({ cliPath })).rejects.toMatchObject({
      name: 'DevServerStartError',
      code: 'DEV_SERVER_START_FAILED',
      output: expect.stringContaining('bad flag --frobnicate'),
      message: expect.stringContaining('code 3'),
    });
  });

  it('passes start-dev the address, ports, namespace, database, UI choice and search attributes', async () => {
    const cliPath = fakeCli('exit 1');
    await startDevServer({
      cliPath,
      namespace: 'flock-example',
      port: 17001,
      uiPort: 17002,
      dbFilename: '/tmp/flock.db',
      searchAttributes: { FlockName: 'Keyword', Attempts: 'Int' },
    }).catch(() => undefined);

    expect(readArgs()).toBe(
      'server start-dev --ip 127.0.0.1 --port 17001 --log-level warn --ui-port 17002 --namespace flock-example ' +
        '--db-filename /tmp/flock.db --search-attribute FlockName=Keyword --search-attribute Attempts=Int ' +
        '--dynamic-config-value history.transferProcessorMaxPollRPS=10000 --dynamic-config-value system.enableEagerWorkflowStart=true',
    );
  });

  it('starts with the CLI defaults when not tuned, and puts extra flags last', async () => {
    const cliPath = fakeCli('exit 1');
    await startDevServer({ cliPath, port: 17001, headless: true, tuned: false, extraArgs: ['--log-format', 'json'] }).catch(() => undefined);

    expect(readArgs()).toBe('server start-dev --ip 127.0.0.1 --port 17001 --log-level warn --headless --log-format json');
  });

  it('chooses free ports and no UI when headless', async () => {
    const cliPath = fakeCli('exit 1');
    await startDevServer({ cliPath, headless: true, tuned: false }).catch(() => undefined);

    const args = readArgs();
    expect(args).toMatch(/^server start-dev --ip 127\.0\.0\.1 --port \d+ --log-level warn --headless$/);
  });

  it('gives up after the start timeout and kills the whole process group', async () => {
    // The fake leaves a child of its own running, as a server with helpers might.
    const cliPath = fakeCli(`sleep 300 & echo $$ $! > '${join(root, 'pids.txt')}'; wait`);

    await expect(startDevServer({ cliPath, startTimeoutMs: 500, stopGraceMs: 1_000 })).rejects.toMatchObject({
      code: 'DEV_SERVER_START_FAILED',
    });

    const pids = readPids();
    expect(pids).toHaveLength(2);
    await eventually(() => (pids.some(isAlive) ? undefined : true), 5_000);
  });

  it('escalates to SIGKILL when the server ignores SIGTERM', async () => {
    const cliPath = fakeCli(`trap '' TERM; echo $$ > '${join(root, 'pids.txt')}'; while :; do sleep 1; done`);

    await expect(startDevServer({ cliPath, startTimeoutMs: 500, stopGraceMs: 200 })).rejects.toMatchObject({
      code: 'DEV_SERVER_START_FAILED',
    });

    const [pid] = readPids();
    expect(pid && isAlive(pid)).toBe(false);
  });

  it('retries on other free ports when a chosen port was taken meanwhile', async () => {
    const cliPath = fakeCli(`echo try >> '${join(root, 'tries.txt')}'; echo "listen tcp: bind: address already in use" >&2; exit 1`);

    await expect(startDevServer({ cliPath })).rejects.toMatchObject({ code: 'DEV_SERVER_START_FAILED' });

    expect(readFileSync(join(root, 'tries.txt'), 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('does not retry when the caller chose the ports', async () => {
    const cliPath = fakeCli(`echo try >> '${join(root, 'tries.txt')}'; echo "listen tcp: bind: address already in use" >&2; exit 1`);

    await expect(startDevServer({ cliPath, port: 17003, headless: true })).rejects.toMatchObject({
      code: 'DEV_SERVER_START_FAILED',
    });

    expect(readFileSync(join(root, 'tries.txt'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('says so when the binary cannot be run at all', async () => {
    await expect(startDevServer({ cliPath: join(root, 'does-not-exist') })).rejects.toMatchObject({
      code: 'DEV_SERVER_START_FAILED',
      message: expect.stringContaining('ENOENT'),
    });
  });
});
