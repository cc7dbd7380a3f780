/**
 * flock-worker as a real process against the Temporal dev server: prebuilt
 * bundle, graceful drain on SIGTERM, and clear failures on bad arguments.
 */
import { FlockRunsClient, resolveConnection } from '@flock-ts/temporal';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeWorkflowBundle } from '../src/lib/workflow-bundle-file';
import { createWorkerTestFlock } from './fixtures/worker-flock';
import { eventually, runSource, spawnSource, stopChild, testServer, type ChildHandle } from '@flock-ts/tools';

const WORKER = 'apps/worker/src/main.ts';
const FIXTURE = 'apps/worker/integration/fixtures/worker-flock.ts';

jest.setTimeout(120_000);

const suffix = randomUUID().slice(0, 8);
const flockName = `worker-it-${suffix}`;
const server = testServer();
const env = { FLOCK_IT_FLOCK_NAME: flockName };
const connection = ['--server', server.address, '--namespace', server.namespace];
const flock = createWorkerTestFlock(flockName);

let dir: string;
let bundlePath: string;
let runs: FlockRunsClient;
const children: ChildHandle[] = [];

function startWorker(taskQueue: string, extra: string[] = []): ChildHandle {
  const child = spawnSource(WORKER, [...connection, '--task-queue', taskQueue, '--flock', FIXTURE, ...extra], env);
  children.push(child);
  return child;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'flock-worker-it-'));
  bundlePath = path.join(dir, 'workflow-bundle.js');
  await writeWorkflowBundle(bundlePath);
  runs = await FlockRunsClient.connect(resolveConnection({ serverUrl: server.address, namespace: server.namespace }, {}));
});

afterAll(async () => {
  await Promise.all(children.map((child) => stopChild(child)));
  await runs?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('build-bundle', () => {
  it('writes a workflow bundle that holds both Flock workflow versions', () => {
    const code = readFileSync(bundlePath, 'utf8');
    expect(code).toContain('FlockWorkflowV2');
    expect(code).toMatch(/\bFlockWorkflow\b(?!V)/);
  });
});

describe('flock-worker', () => {
  it('runs flocks from a prebuilt bundle with the given concurrency', async () => {
    const taskQueue = `worker-it-bundle-${suffix}`;
    const worker = startWorker(taskQueue, ['--workflow-bundle', bundlePath, '--concurrency', '2']);
    await worker.waitForOutput(/polling task queue\(s\) /);
    expect(worker.output()).toContain(`workflow bundle ${bundlePath}`);
    expect(worker.output()).toContain(`polling task queue(s) ${taskQueue} for flock(s) ${flockName} with concurrency 2`);

    const started = await runs.start(flock, { startAgent: 'nap', input: { seconds: 0 }, taskQueue });
    const result = await runs.result(started.workflowId);
    expect(result.output).toEqual({ message: 'slept 0s' });
  });

  it('drains an in-flight step on SIGTERM, exits 0, and another worker finishes the run', async () => {
    const taskQueue = `worker-it-drain-${suffix}`;
    const first = startWorker(taskQueue, ['--workflow-bundle', bundlePath]);
    await first.waitForOutput(/polling task queue\(s\) /);
    const started = await runs.start(flock, { startAgent: 'nap', input: { seconds: 2 }, taskQueue });
    await eventually(async () => ((await runs.status(started.workflowId)).currentAgent === 'nap' ? true : undefined), 30_000, 'nap running');

    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(first.output()).toContain('received SIGTERM: draining in-flight tasks');
    expect(first.output()).toContain('all tasks drained, worker stopped');

    // no prebuilt bundle here: the worker bundles the workflow code itself
    const second = startWorker(taskQueue);
    await second.waitForOutput(/polling task queue\(s\) /);
    expect(second.output()).toContain('bundling workflow code at start');
    const result = await runs.result(started.workflowId);
    expect(result.output).toEqual({ message: 'slept 2s' });

    // the nap finished on the draining worker: scheduled once, never failed or timed out
    const history = await runs.client.workflow.getHandle(started.workflowId).fetchHistory();
    const events = (history.events ?? []).map((event) => Object.keys(event).find((key) => key.endsWith('EventAttributes')));
    expect(events.filter((kind) => kind === 'activityTaskScheduledEventAttributes')).toHaveLength(2);
    expect(events.filter((kind) => kind === 'activityTaskCompletedEventAttributes')).toHaveLength(2);
    expect(events.some((kind) => kind === 'activityTaskFailedEventAttributes' || kind === 'activityTaskTimedOutEventAttributes')).toBe(false);
  });

  it('exits 1 and names a --flock module that exports no Flock', async () => {
    const result = await runSource(WORKER, [...connection, '--flock', 'apps/worker/integration/fixtures/not-a-flock.ts']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('exports no Flock');
    expect(result.stderr).toContain('it exports: helper, name');
  });

  it('exits 1 and names a --flock module that does not exist', async () => {
    const result = await runSource(WORKER, [...connection, '--flock', './missing-flock.js']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('flock-worker: Flock module ./missing-flock.js not found');
  });

  it('exits 2 on a bad option value', async () => {
    const result = await runSource(WORKER, ['--concurrency', 'lots']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('flock-worker: --concurrency must be a positive integer, got "lots"\n');
  });

  it('prints the help and exits 0', async () => {
    const result = await runSource(WORKER, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: flock-worker [options]');
  });
});
