/**
 * The memo on a real server (issue 17): a run of the README example flock
 * stores its definition compressed, under the server's memo warning limit
 * (`limit.memoSize.warn`, 2 KiB) as the server counts it (the protobuf size
 * of the stored Memo, read raw), and every reader gets the definition back,
 * in each run of a chain continued as new too.
 */
import { parseFlockDefinition, type FlockDefinition } from '@flock-ts/config';
import { COLLATZ_START_AGENT, CORPUS_REPORT_START_AGENT, createCollatzFlock, createCorpusReportFlock, exampleCorpusPath } from '@flock-ts/examples';
import { TEMPORAL_MEMO_WARN_BYTES, decodeFlockMemo, memoSize } from '@flock-ts/serialization';
import { temporal as proto } from '@temporalio/proto';
import { eventually, temporalConfigFor, testClient, testServer, uniqueQueue } from './harness';
import { rawRun } from './support/raw-history';
import { temporal } from '../src';

jest.setTimeout(120_000);

/** The definition a run of `definition` stores: the snapshot names the workflow version it runs on. */
function stored(definition: FlockDefinition): FlockDefinition {
  return parseFlockDefinition({ ...definition, temporalConfig: { ...definition.temporalConfig, workflowVersion: 2 } });
}

describe('the memo on a real server', () => {
  it('holds the README example flock compressed, under limit.memoSize.warn as the server counts it, and gives it back', async () => {
    const flock = createCorpusReportFlock({ executor: temporal(), temporalStartInProcessWorker: true, temporalConfig: temporalConfigFor(uniqueQueue('memo-size')) });
    const result = await flock.run({ startAgent: CORPUS_REPORT_START_AGENT, input: { folder: exampleCorpusPath } });
    const client = await testClient();
    try {
      const description = await client.workflow.getHandle(result.temporal.workflowId).describe();
      expect(description.memo).toMatchObject({ flockName: 'corpus-report', workflowVersion: 2, agents: ['reader', 'ranker', 'reporter'] });
      expect(description.memo?.['definitionDeflated']).toBeInstanceOf(Uint8Array);
      expect(decodeFlockMemo(description.memo)).toEqual(stored(flock.toDefinition()));

      const { address, namespace } = testServer();
      const raw = await rawRun(address, namespace, result.temporal.workflowId);
      const storedBytes = proto.api.common.v1.Memo.encode(raw.memo ?? {}).finish().length;
      expect(storedBytes).toBeLessThanOrEqual(TEMPORAL_MEMO_WARN_BYTES);
      expect(memoSize(description.memo ?? {})).toBe(storedBytes);
    } finally {
      await client.connection.close();
    }
  });

  it('carries the compressed memo to every run of a chain continued as new', async () => {
    const flock = createCollatzFlock({
      name: uniqueQueue('memo-chain'),
      executor: temporal(),
      temporalStartInProcessWorker: true,
      temporalConfig: temporalConfigFor(uniqueQueue('memo-chain'), { continueAsNew: { maxSteps: 3 } }),
    });
    await flock.run({ startAgent: COLLATZ_START_AGENT, input: { n: 6 } });
    const client = await testClient();
    try {
      // the flock's name is its own: its runs are the chain of this one run
      const chain = await eventually(async () => {
        const infos = [];
        for await (const info of client.workflow.list({ query: `FlockName = '${flock.name}'` })) infos.push(info);
        return infos.length >= 3 && infos.every((info) => info.status.name !== 'RUNNING') ? infos : undefined;
      });
      expect(new Set(chain.map((info) => info.workflowId)).size).toBe(1);
      expect(chain.filter((info) => info.status.name === 'CONTINUED_AS_NEW')).toHaveLength(chain.length - 1);
      for (const info of chain) {
        expect(info.memo?.['definitionDeflated']).toBeInstanceOf(Uint8Array);
        expect(decodeFlockMemo(info.memo)).toEqual(stored(flock.toDefinition()));
      }
    } finally {
      await client.connection.close();
    }
  });
});
