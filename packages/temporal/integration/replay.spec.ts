import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { flockDataConverter } from '../src/lib/data-converter';
import { bundleFlockWorkflows, withSourceCondition } from '../src/lib/workflow-bundle';

/**
 * Histories recorded from every released workflow version
 * (tools/scripts/capture-histories.ts) must replay against today's workflow
 * code: a change that breaks determinism fails here, in CI.
 */
const dir = path.join(__dirname, 'histories');
const recorded = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, ...(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { workflowId: string; history: object }) }));

describe('replay of recorded histories', () => {
  it('has recordings of the released version to replay', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(5);
  });

  it.each(recorded.map((r) => [r.file, r] as const))('replays %s', async (_file, { workflowId, history }) => {
    const workflowBundle = await bundleFlockWorkflows();
    await expect(
      Worker.runReplayHistory({ workflowBundle, dataConverter: flockDataConverter() }, history, workflowId),
    ).resolves.toBeUndefined();
  }, 120_000);

  it('catches an incompatible workflow change', async () => {
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/incompatible-workflow.ts'),
      webpackConfigHook: withSourceCondition,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const { workflowId, history } = recorded[0];
    await expect(
      Worker.runReplayHistory({ workflowBundle, dataConverter: flockDataConverter() }, history, workflowId),
    ).rejects.toMatchObject({ name: 'DeterminismViolationError' });
  }, 120_000);
});
