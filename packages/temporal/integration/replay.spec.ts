import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PATCHES_BY_VERSION, SUPPORTED_WORKFLOW_VERSIONS } from '@flock-ts/contracts';
import { flockDataConverter } from '../src/lib/data-converter';
import { flockWorkflowSinks } from '../src/lib/worker-tracing';
import { bundleFlockWorkflows, inlineSourceMap, withSourceCondition } from '../src/lib/workflow-bundle';

/**
 * Histories recorded from every released workflow version
 * (tools/scripts/capture-histories.ts) must replay against today's workflow
 * code: a change that breaks determinism fails here, in CI.
 */
const dir = path.join(__dirname, 'histories');
const recorded = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ file, ...(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { workflowId: string; history: object }) }));

/** Ids of the `patched()` markers in a proto3-JSON history. */
function patchIds(history: object): string[] {
  type Marker = { markerName?: string; details?: Record<string, { payloads?: Array<{ data?: string }> }> };
  const events = (history as { events: Array<{ markerRecordedEventAttributes?: Marker }> }).events;
  return events.flatMap(({ markerRecordedEventAttributes: marker }) => {
    const data = marker?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { id: string }).id] : [];
  });
}

describe('replay of recorded histories', () => {
  it('has recordings of every served version to replay, before and after each of its patches', () => {
    const levels = new Set(recorded.map((r) => /^v(\d+\.\d+)-/.exec(r.file)?.[1]));
    const expected = SUPPORTED_WORKFLOW_VERSIONS.flatMap((version) => [...new Set([`${version}.0`, `${version}.${PATCHES_BY_VERSION[version].length}`])]);
    expect([...levels].sort()).toEqual(expected.sort());
  });

  it('recorded the patch markers exactly in the histories made after each patch', () => {
    for (const { file, history } of recorded) {
      const [, version, level] = /^v(\d+)\.(\d+)-/.exec(file) ?? [];
      const expected = PATCHES_BY_VERSION[Number(version)].slice(0, Number(level));
      expect({ file, patches: patchIds(history) }).toEqual({ file, patches: expected });
    }
  });

  it('has a recording that continues as new', () => {
    const types = recorded.flatMap(({ history }) => (history as { events: Array<{ eventType?: string }> }).events.map((e) => e.eventType));
    expect(types).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
  });

  // recorded on traced bundles; the lean one (no OpenTelemetry interceptors) must replay them too
  it.each(recorded.flatMap((r) => [[r.file, 'traced', r] as const, [r.file, 'lean', r] as const]))(
    'replays %s (%s bundle)',
    async (_file, variant, { workflowId, history }) => {
      const workflowBundle = inlineSourceMap(await bundleFlockWorkflows({ tracing: variant === 'traced' }));
      await expect(Worker.runReplayHistory({ workflowBundle, dataConverter: flockDataConverter(), sinks: flockWorkflowSinks() }, history, workflowId)).resolves.toBeUndefined();
    },
    120_000,
  );

  it('catches an incompatible workflow change', async () => {
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures/incompatible-workflow.ts'),
      webpackConfigHook: withSourceCondition,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const { workflowId, history } = recorded[0];
    await expect(Worker.runReplayHistory({ workflowBundle, dataConverter: flockDataConverter() }, history, workflowId)).rejects.toMatchObject({
      name: 'DeterminismViolationError',
    });
  }, 120_000);
});
