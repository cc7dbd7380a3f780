/**
 * The Temporal server process is SIGKILLed and comes back (same database,
 * same address) while runs are in flight: every run resumes and completes,
 * on the same worker process, which rides out the outage. Starts its own
 * server, not the shared one, of the suite's topology: the dev server (same
 * SQLite file) or, in `integration-prod`, temporal-server on PostgreSQL.
 */
import { FlockRunsClient, resolveConnection } from '@flock-ts/temporal';
import { FLOCK_DEV_SEARCH_ATTRIBUTES, getFreePort, startDevServer, startProductionServer, testTemporalEnv, type DevServer } from '@flock-ts/tools';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeWorkflowBundle } from '../../src/lib/workflow-bundle-file';
import { createLedgerFlock } from '../fixtures/ledger-flock';
import { eventually, spawnSource, stopChild, type ChildHandle } from '@flock-ts/tools';
import { count, LEDGER_FLOCK, readLedger, report, WORKER } from './support';

jest.setTimeout(180_000);

const suffix = randomUUID().slice(0, 8);
const flockName = `restart-it-${suffix}`;
const taskQueue = `restart-it-${suffix}`;
const namespace = 'flock-restart';
const topology = testTemporalEnv().topology;
const RUNS = 6;
let dir: string;
let server: RestartableServer | undefined;
let worker: ChildHandle | undefined;

/** A server of the suite's topology that can crash and come back where it was. */
interface RestartableServer {
  address: string;
  /** SIGKILL of the server process. */
  crash(): Promise<void>;
  /** Started again: same address, same data. */
  comeBack(): Promise<void>;
  stop(): Promise<void>;
}

async function startOwnServer(): Promise<RestartableServer> {
  const searchAttributes = { ...FLOCK_DEV_SEARCH_ATTRIBUTES };
  if (topology === 'production') {
    const production = await startProductionServer({ namespace, searchAttributes });
    return { address: production.address, crash: () => production.kill(), comeBack: () => production.restart(), stop: () => production.stop() };
  }
  const dbFilename = path.join(dir, 'temporal.db');
  const port = await getFreePort('127.0.0.1');
  const start = () => startDevServer({ dbFilename, port, headless: true, namespace, searchAttributes });
  let current: DevServer = await start();
  return {
    address: current.address,
    crash: () => current.kill(),
    comeBack: async () => {
      current = await start();
    },
    stop: () => current.stop(),
  };
}

/** `result()` across the outage: the client's own retries may give up while the server is away. */
async function resultOf(runs: FlockRunsClient, workflowId: string): ReturnType<FlockRunsClient['result']> {
  return eventually(() => runs.result(workflowId), 120_000, `result of ${workflowId}`);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'flock-restart-'));
});

afterAll(async () => {
  if (worker) await stopChild(worker, 5_000);
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe(`a server process SIGKILLed and restarted while runs are in flight (${topology} topology)`, () => {
  it('every run resumes and completes', async () => {
    const ledger = path.join(dir, 'ledger.txt');
    const bundle = path.join(dir, 'workflow-bundle.js');
    const [own] = await Promise.all([startOwnServer(), writeWorkflowBundle(bundle)]);
    server = own;
    const address = own.address;
    worker = spawnSource(WORKER, ['--server', address, '--namespace', namespace, '--task-queue', taskQueue, '--flock', LEDGER_FLOCK, '--workflow-bundle', bundle], {
      FLOCK_IT_FLOCK_NAME: flockName,
      FLOCK_IT_LEDGER: ledger,
    });
    await worker.waitForOutput(/polling task queue\(s\) /);

    const runs = await FlockRunsClient.connect(resolveConnection({ serverUrl: address, namespace }, {}));
    const flock = createLedgerFlock(flockName);
    const tokens = Array.from({ length: RUNS }, (_, i) => `restart-${suffix}-${i}`);
    const started = await Promise.all(tokens.map((token) => runs.start(flock, { startAgent: 'step1', input: { token, delayMs: 700 }, taskQueue })));

    // every run is past its first agent: state recorded on the server, more steps to go
    await eventually(
      async () => (tokens.every((token) => count(readLedger(ledger), { token, agent: 'step1', event: 'done' }) > 0) ? true : undefined),
      60_000,
      'all runs past step1',
    );
    const doneAtKill = count(readLedger(ledger), { event: 'done' });
    const killedAt = Date.now();
    await own.crash();
    await own.comeBack();
    const downMs = Date.now() - killedAt;

    const results = await Promise.all(started.map((run) => resultOf(runs, run.workflowId)));
    const totalMs = Date.now() - killedAt;
    await runs.close();
    report(
      `server SIGKILL and restart (${topology}): ${RUNS} runs in flight (${doneAtKill} of ${RUNS * 4} agent steps done at the kill), server away ${downMs} ms, ` +
        `all runs completed ${totalMs} ms after the kill`,
    );

    expect(results.map((r) => r.output)).toEqual(tokens.map((token) => ({ token, trail: ['step1', 'step2', 'step3', 'step4'] })));
    // the kill really came mid-run
    expect(doneAtKill).toBeGreaterThanOrEqual(RUNS);
    expect(doneAtKill).toBeLessThan(RUNS * 4);
    const entries = readLedger(ledger);
    for (const token of tokens) {
      for (const agent of ['step1', 'step2', 'step3', 'step4']) {
        // at least once: a step whose completion the server did not take during the outage runs again
        expect(count(entries, { token, agent, event: 'done' })).toBeGreaterThanOrEqual(1);
      }
    }
    // one worker process did it all, riding out the outage
    expect(worker.child.exitCode).toBeNull();
    expect(new Set(entries.map((e) => e.pid))).toEqual(new Set([worker.child.pid]));
  });
});
