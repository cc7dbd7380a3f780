/**
 * Load: 200 concurrent runs served by two flock-worker processes on one
 * task queue. All complete with the right result; none is lost (each
 * result, and the server's own list, accounts for every run) or duplicated
 * (each agent of each run executed exactly once, across both workers).
 * Prints the throughput. Same measurement: `npm run bench:load -w @flock-ts/tools`.
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

jest.setTimeout(180_000);

const RUNS = 200;
const STEPS = 2;
const suffix = randomUUID().slice(0, 8);
const flockName = `load-it-${suffix}`;
const taskQueue = `load-it-${suffix}`;
const server = testServer();
const workers: ChildHandle[] = [];
let dir: string;

afterAll(async () => {
  await Promise.all(workers.map((worker) => stopChild(worker)));
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `fn` over `items` with at most `limit` in flight. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]);
      }
    }),
  );
  return results;
}

describe('load', () => {
  it(`${RUNS} concurrent runs on two worker processes: all complete, none lost or duplicated`, async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flock-load-'));
    const bundle = path.join(dir, 'workflow-bundle.js');
    await writeWorkflowBundle(bundle);
    const ledgers = ['a', 'b'].map((name) => path.join(dir, `ledger-${name}.txt`));
    for (const ledger of ledgers) {
      workers.push(
        spawnSource(WORKER, ['--server', server.address, '--namespace', server.namespace, '--task-queue', taskQueue, '--flock', LEDGER_FLOCK, '--workflow-bundle', bundle], {
          FLOCK_IT_FLOCK_NAME: flockName,
          FLOCK_IT_LEDGER: ledger,
          FLOCK_IT_STEPS: String(STEPS),
        }),
      );
    }
    await Promise.all(workers.map((worker) => worker.waitForOutput(/polling task queue\(s\) /)));

    const runs = await FlockRunsClient.connect(resolveConnection({ serverUrl: server.address, namespace: server.namespace }, {}));
    try {
      const flock = createLedgerFlock(flockName, undefined, STEPS);
      const tokens = Array.from({ length: RUNS }, (_, i) => `load-${suffix}-${i}`);
      const startedAt = Date.now();
      const results = await mapLimited(tokens, 50, async (token) => {
        const { workflowId } = await runs.start(flock, { startAgent: 'step1', input: { token, delayMs: 0 }, taskQueue });
        return { workflowId, result: await runs.result(workflowId) };
      });
      const seconds = (Date.now() - startedAt) / 1000;
      const [a, b] = ledgers.map((ledger) => new Set(readLedger(ledger).map((e) => e.token)).size);
      report(
        `load: ${RUNS} runs x ${STEPS} agents on 2 worker processes in ${seconds.toFixed(1)} s: ` +
          `${(RUNS / seconds).toFixed(1)} runs/s, ${((RUNS * STEPS) / seconds).toFixed(1)} agent steps/s (runs touched: worker A ${a}, worker B ${b})`,
      );

      // every run completed with its own result
      expect(results.map((r) => r.result.output)).toEqual(tokens.map((token) => ({ token, trail: ['step1', 'step2'] })));
      expect(new Set(results.map((r) => r.workflowId)).size).toBe(RUNS);
      // each agent of each run executed exactly once, across both workers
      const entries = readLedger(...ledgers);
      for (const token of tokens) {
        for (const agent of ['step1', 'step2']) expect([token, agent, count(entries, { token, agent, event: 'done' })]).toEqual([token, agent, 1]);
      }
      expect(count(entries, { event: 'done' })).toBe(RUNS * STEPS);
      // both processes served
      expect(a).toBeGreaterThan(0);
      expect(b).toBeGreaterThan(0);
      // the server counts the same runs, all completed
      const listed = await eventually(
        async () => {
          const found = await runs.list({ flockName, limit: RUNS + 10 });
          return found.length === RUNS && found.every((run) => run.phase === 'completed') ? found : undefined;
        },
        30_000,
        `${RUNS} completed runs listed`,
      );
      expect(new Set(listed.map((run) => run.workflowId))).toEqual(new Set(results.map((r) => r.workflowId)));
    } finally {
      await runs.close();
    }
  });
});
