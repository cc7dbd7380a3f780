import { bundleWorkflowCode } from '@temporalio/worker';
import path from 'node:path';
import { bundleFlockWorkflows, withSourceCondition } from '../src/lib/workflow-bundle';

describe('workflow bundle build', () => {
  it('bundles FlockWorkflow with the superjson payload converter', async () => {
    const bundle = await bundleFlockWorkflows();
    expect(bundle.code).toContain('FlockWorkflow');
    expect(bundle.code).toContain('flock-superjson');
  }, 120_000);

  it('fails on a Node built-in import and names it', async () => {
    const reported: string[] = [];
    const collect = (message: string, meta?: unknown) => void reported.push(`${message} ${JSON.stringify(meta ?? '')}`);
    await expect(
      bundleWorkflowCode({
        workflowsPath: path.join(__dirname, 'fixtures/node-import-workflow.ts'),
        webpackConfigHook: withSourceCondition,
        logger: { trace() {}, debug() {}, info() {}, warn: collect, error: collect, log() {} },
      }),
    ).rejects.toThrow(/Webpack finished with errors/);
    expect(reported.join('\n')).toMatch(/node:fs|'fs'|"fs"/);
  }, 120_000);
});
