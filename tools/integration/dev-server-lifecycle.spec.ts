import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevServer, type DevServer } from '../src/lib/dev-server';
import { testTemporalEnv, uniqueName } from '../src/lib/test-temporal-env';
import { findWorkspaceRoot } from '../src/lib/workspace';
import { eventually, isAlive } from './support';

// These start servers of their own (not the shared one) to watch them start and stop.
const { cliPath } = testTemporalEnv();

describe('startDevServer with the real Temporal CLI', () => {
  let scratch: string;
  const started: DevServer[] = [];

  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'flock-dev-lifecycle-'));
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
    rmSync(scratch, { recursive: true, force: true });
  });

  async function start(options: Parameters<typeof startDevServer>[0] = {}): Promise<DevServer> {
    const server = await startDevServer({ cliPath, ...options });
    started.push(server);
    return server;
  }

  it('answers on its address for its namespace, with a Web UI, and is gone after stop()', async () => {
    const server = await start({ namespace: 'flock-lifecycle' });
    expect(server.address).toMatch(/^127\.0\.0\.1:\d+$/);

    const connection = await Connection.connect({ address: server.address });
    const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'flock-lifecycle' });
    await connection.close();
    expect(namespaceInfo?.name).toBe('flock-lifecycle');
    expect(server.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(server.uiUrl as string)).status).toBe(200);

    await server.stop();
    expect(isAlive(server.pid)).toBe(false);
    await expect(server.stop()).resolves.toBeUndefined();
  });

  it('keeps workflows in its --db-filename across a restart', async () => {
    const dbFilename = join(scratch, 'dev.db');
    const workflowId = uniqueName('persisted');
    const first = await start({ headless: true, dbFilename });
    const firstConnection = await Connection.connect({ address: first.address });
    await new Client({ connection: firstConnection }).workflow.start('neverRuns', {
      taskQueue: uniqueName('nobody-polls'),
      workflowId,
    });
    await firstConnection.close();
    await first.stop();

    const second = await start({ headless: true, dbFilename });
    const secondConnection = await Connection.connect({ address: second.address });
    const description = await new Client({ connection: secondConnection }).workflow.getHandle(workflowId).describe();
    await secondConnection.close();

    expect(description.workflowId).toBe(workflowId);
    expect(description.type).toBe('neverRuns');
  });

  describe('when the Node process that started it ends without stopping it', () => {
    function startInChild(mode: 'crash' | 'wait'): Promise<{ child: ReturnType<typeof spawn>; serverPid: number }> {
      const child = spawn(process.execPath, ['--conditions=@flock-ts/source', '--import', 'tsx', join(__dirname, 'fixtures', 'start-then-die.ts'), mode], {
        cwd: findWorkspaceRoot(),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, FLOCK_TEST_TEMPORAL_CLI: cliPath },
      });
      return new Promise((resolve, reject) => {
        let out = '';
        let err = '';
        child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const pid = Number.parseInt(out, 10);
          if (out.includes('\n') && pid > 0) resolve({ child, serverPid: pid });
        });
        child.once('exit', (code) => reject(new Error(`child exited (${code}) before starting a server: ${err}`)));
      });
    }

    it('kills the server when that process crashes', async () => {
      const { child, serverPid } = await startInChild('crash');
      const exitCode = await new Promise((resolve) => child.once('exit', resolve));

      expect(exitCode).not.toBe(0);
      await eventually(() => (isAlive(serverPid) ? undefined : true), 10_000);
    });

    it('stops the server when that process is sent SIGTERM, and still exits on it', async () => {
      const { child, serverPid } = await startInChild('wait');
      expect(isAlive(serverPid)).toBe(true);

      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      child.kill('SIGTERM');

      expect(await exited).toBe('SIGTERM');
      await eventually(() => (isAlive(serverPid) ? undefined : true), 15_000);
    });
  });
});
