/**
 * The production-style Temporal itself (integration-prod only: it needs the
 * temporal-server build and PostgreSQL): `npm run temporal:prod` starts it
 * in the background with the topology it promises and `--stop` leaves
 * nothing behind; the example flock's memo stays under the server's memo
 * warning limit there, and a big one is what the server warns about.
 */
import { createCorpusReportFlock, exampleCorpusPath } from '@flock-ts/examples';
import { Flock } from '@flock-ts/core';
import { temporal } from '@flock-ts/temporal';
import { Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FLOCK_DEV_SEARCH_ATTRIBUTES, PRODUCTION_TOPOLOGY, runSource, startProductionServer, type ProductionServer } from '../src';
import { isAlive } from './support';

const TEMPORAL_PROD = 'tools/scripts/temporal-prod.ts';
const MEMO_WARNING = 'Blob data size exceeds the warning limit';

describe('npm run temporal:prod', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'flock-temporal-prod-it-'));
  });
  afterAll(async () => {
    await runSource(TEMPORAL_PROD, ['--stop'], { FLOCK_TEMPORAL_PROD_DIR: dir });
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts temporal-server on PostgreSQL in the background with 4 history shards and the Flock search attributes; --stop leaves nothing running', async () => {
    const env = { FLOCK_TEMPORAL_PROD_DIR: dir };
    const started = await runSource(TEMPORAL_PROD, ['--namespace', 'flock-prod-it', '--port', '0'], env);
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const address = /gRPC address: +(\S+)/.exec(started.stdout)?.[1] as string;
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(started.stdout).toContain('Web UI:            none');
    const state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { serverPid: number; postgresPid: number; dirs: string[] };
    expect(isAlive(state.serverPid) && isAlive(state.postgresPid)).toBe(true);

    // this process ended; the server did not
    const connection = await Connection.connect({ address });
    try {
      const info = await connection.workflowService.getClusterInfo({});
      expect(info.serverVersion).toBe(PRODUCTION_TOPOLOGY.temporalServerVersion);
      expect(info.historyShardCount).toBe(PRODUCTION_TOPOLOGY.numHistoryShards);
      expect(info.persistenceStore).toBe(PRODUCTION_TOPOLOGY.sqlPlugin);
      expect(info.visibilityStore).toBe(PRODUCTION_TOPOLOGY.sqlPlugin);
      const attributes = await connection.operatorService.listSearchAttributes({ namespace: 'flock-prod-it' });
      for (const name of Object.keys(FLOCK_DEV_SEARCH_ATTRIBUTES)) expect([name, attributes.customAttributes?.[name]]).toEqual([name, 2 /* KEYWORD */]);
    } finally {
      await connection.close();
    }

    const again = await runSource(TEMPORAL_PROD, [], env);
    expect(again.stdout).toContain(`Already running: ${address}, namespace flock-prod-it`);

    const stopped = await runSource(TEMPORAL_PROD, ['--stop'], env);
    expect(stopped.code).toBe(0);
    expect(isAlive(state.serverPid)).toBe(false);
    expect(isAlive(state.postgresPid)).toBe(false);
    for (const folder of state.dirs) expect([folder, existsSync(folder)]).toEqual([folder, false]);
    const status = await runSource(TEMPORAL_PROD, ['--status'], env);
    expect([status.code, status.stdout]).toEqual([1, 'Not running.\n']);
  }, 180_000);
});

describe('the memo on temporal-server', () => {
  let server: ProductionServer;
  const output: string[] = [];
  beforeAll(async () => {
    server = await startProductionServer({ namespace: 'flock-memo-it', searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES }, onOutput: (line) => output.push(line) });
  }, 120_000);
  afterAll(() => server?.stop());

  const onServer = (queue: string) => ({
    executor: temporal(),
    temporalStartInProcessWorker: true,
    temporalConfig: { serverUrl: server.address, namespace: server.namespace, taskQueue: queue },
  });

  it("stays under the server's 2 KiB memo warning limit for the README example flock; a flock of 30 long agents is what the server warns about", async () => {
    const example = await createCorpusReportFlock(onServer('memo-example')).run({ startAgent: 'reader', input: { folder: exampleCorpusPath } });
    expect(example.output['bestDocument']).toMatch(/\.txt$/);
    expect(output.filter((line) => line.includes(MEMO_WARNING))).toEqual([]);

    const big = new Flock({
      name: 'memo-big',
      maxIterations: 40,
      ...onServer('memo-big'),
      agents: Array.from({ length: 30 }, (_, i) => ({
        name: `agent${i}`,
        // random text: the memo's compression cannot shrink it
        description: `Agent ${i}: ${Array.from({ length: 4 }, () => randomUUID()).join(' ')}`,
        input: `n${i}: integer | the number agent ${i} gets`,
        output: `n${i + 1}: integer | the number agent ${i} passes on`,
        evaluate: (inputs: Record<string, unknown>) => ({ [`n${i + 1}`]: (inputs[`n${i}`] as number) + 1 }),
        ...(i < 29 ? { next: `agent${i + 1}` } : {}),
      })),
    });
    const result = await big.run({ startAgent: 'agent0', input: { n0: 0 } });
    expect(result.output).toEqual({ n30: 30 });
    // the server measured this memo and warned: the check above can fail
    const warned = () => output.some((line) => line.includes(MEMO_WARNING) && line.includes('memo-big'));
    for (let i = 0; i < 50 && !warned(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(warned()).toBe(true);
  }, 120_000);
});
