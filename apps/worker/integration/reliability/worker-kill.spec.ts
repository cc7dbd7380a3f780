/**
 * A worker is SIGKILLed in the middle of a four-agent run. Once a new worker
 * starts, the run completes; the agents that had completed are not run
 * again (the ledger counts executions); only the agent that was cut off
 * runs a second time. Prints the recovery time: new worker spawned -> run
 * completed.
 */
import { FlockRunsClient, resolveConnection } from '@flock-ts/temporal';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeWorkflowBundle } from '../../src/lib/workflow-bundle-file';
import { createLedgerFlock } from '../fixtures/ledger-flock';
import { eventually, spawnSource, stopChild, testServer, type ChildHandle } from '@flock-ts/tools';
import { count, LEDGER_FLOCK, readLedger, report, WORKER } from './support';

jest.setTimeout(120_000);

const suffix = randomUUID().slice(0, 8);
const flockName = `kill-it-${suffix}`;
const taskQueue = `kill-it-${suffix}`;
const server = testServer();
const children: ChildHandle[] = [];
let dir: string;
let ledger: string;
let bundle: string;
let runs: FlockRunsClient;

function startWorker(name = flockName, queue = taskQueue, extraEnv: Record<string, string> = {}): ChildHandle {
  const child = spawnSource(WORKER, ['--server', server.address, '--namespace', server.namespace, '--task-queue', queue, '--flock', LEDGER_FLOCK, '--workflow-bundle', bundle], {
    FLOCK_IT_FLOCK_NAME: name,
    FLOCK_IT_LEDGER: ledger,
    ...extraEnv,
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'flock-kill-'));
  ledger = path.join(dir, 'ledger.txt');
  bundle = path.join(dir, 'workflow-bundle.js');
  await writeWorkflowBundle(bundle);
  runs = await FlockRunsClient.connect(resolveConnection({ serverUrl: server.address, namespace: server.namespace }, {}));
});

afterAll(async () => {
  await Promise.all(children.map((child) => stopChild(child)));
  await runs?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a worker killed in the middle of a run', () => {
  it('the run completes on a new worker, without running completed agents again', async () => {
    const first = startWorker();
    await first.waitForOutput(/polling task queue\(s\) /);
    const token = `kill-${suffix}`;
    const { workflowId } = await runs.start(createLedgerFlock(flockName), { startAgent: 'step1', input: { token, delayMs: 1200 }, taskQueue });

    // step3 has begun: step1 and step2 are done and recorded
    await eventually(async () => (count(readLedger(ledger), { event: 'start', agent: 'step3' }) ? true : undefined), 60_000, 'step3 started');
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const firstPid = first.child.pid as number;
    const beforeKill = readLedger(ledger);
    expect(beforeKill.filter((e) => e.event === 'done').map((e) => e.agent)).toEqual(['step1', 'step2']);

    const spawnedAt = Date.now();
    const second = startWorker();
    const startupMs = second.waitForOutput(/polling task queue\(s\) /).then(() => Date.now() - spawnedAt);
    const result = await runs.result(workflowId);
    const recoveryMs = Date.now() - spawnedAt;
    report(
      `recovery after SIGKILL: ${recoveryMs} ms from spawning the new worker to the run's completion ` +
        `(worker polling after ${await startupMs} ms; 2 of 4 agents left, 1.2 s each; heartbeat timeout 2 s, sticky queue timeout 3 s)`,
    );

    expect(result.output).toEqual({ token, trail: ['step1', 'step2', 'step3', 'step4'] });
    const entries = readLedger(ledger);
    for (const agent of ['step1', 'step2']) {
      // completed before the kill: executed once, never again
      expect(count(entries, { agent, event: 'start' })).toBe(1);
      expect(count(entries, { agent, event: 'done', pid: firstPid })).toBe(1);
    }
    // cut off by the kill: started on both workers, finished once, on the new one as a retry
    expect(entries.filter((e) => e.agent === 'step3' && e.event === 'start').map((e) => [e.pid, e.attempt])).toEqual([
      [firstPid, 1],
      [second.child.pid, 2],
    ]);
    expect(count(entries, { agent: 'step3', event: 'done' })).toBe(1);
    expect(count(entries, { agent: 'step4', event: 'done', pid: second.child.pid as number })).toBe(1);
    expect(count(entries, { event: 'done' })).toBe(4);
  });

  it('with the default activity options, the run completes within 15 s of the kill', async () => {
    const name = `${flockName}-defaults`;
    const queue = `${taskQueue}-defaults`;
    const env = { FLOCK_IT_DEFAULT_OPTIONS: 'true' };
    const first = startWorker(name, queue, env);
    await first.waitForOutput(/polling task queue\(s\) /);
    const token = `kill-defaults-${suffix}`;
    const { workflowId } = await runs.start(createLedgerFlock(name, undefined, 4, true), { startAgent: 'step1', input: { token, delayMs: 1200 }, taskQueue: queue });
    await eventually(async () => (readLedger(ledger).some((e) => e.token === token && e.agent === 'step2' && e.event === 'start') ? true : undefined), 60_000, 'step2 started');
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    startWorker(name, queue, env);
    const result = await runs.result(workflowId);
    const recoveryMs = Date.now() - killedAt;
    report(
      `recovery after SIGKILL with default activity options (heartbeat timeout 10 s): ${recoveryMs} ms from the kill to the run's completion (3 of 4 agents left, 1.2 s each)`,
    );
    expect(result.output).toEqual({ token, trail: ['step1', 'step2', 'step3', 'step4'] });
    expect(recoveryMs).toBeLessThan(15_000 + 3 * 1_200);
  });
});
