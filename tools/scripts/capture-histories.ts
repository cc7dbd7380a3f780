/**
 * Records workflow histories of the released FlockWorkflow version for the
 * replay tests (packages/temporal/integration/replay.spec.ts). Run it when a
 * workflow version is released, never to "fix" a failing replay:
 *
 *   node --conditions=@flock-ts/source --import tsx tools/scripts/capture-histories.ts
 */
import { LATEST_WORKFLOW_VERSION, PATCHES_BY_VERSION } from '@flock-ts/contracts';
import { Flock } from '@flock-ts/core';
import { flockDataConverter, temporal } from '@flock-ts/temporal';
import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parityScenarios as scenarios } from '@flock-ts/examples/testing';
import { startDevServer } from '../src/lib/dev-server';

const outDir = path.resolve(__dirname, '../../packages/temporal/integration/histories');

async function main(): Promise<void> {
  const server = await startDevServer({ namespace: 'default', headless: true });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: server.namespace, dataConverter: flockDataConverter() });
  try {
    for (const scenario of scenarios) {
      const slug = scenario.name
        .replace(/[^a-z]+/gi, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 50);
      const flock = new Flock({
        name: `replay-${slug}`.slice(0, 60),
        maxIterations: scenario.maxIterations ?? 20,
        executor: temporal(),
        temporalStartInProcessWorker: true,
        temporalConfig: {
          serverUrl: server.address,
          namespace: server.namespace,
          taskQueue: `capture-${slug}`,
          activityDefaults: { retryMaxAttempts: 1 },
          // longer scenarios continue as new: the continue-as-new path must replay too
          continueAsNew: { maxSteps: 10 },
        },
      });
      for (const router of scenario.routers?.() ?? []) flock.registerRouter(router);
      for (const agent of scenario.agents()) flock.addAgent(agent);
      const runId = `capture-${slug}`;
      let workflowId = `${flock.name}-${runId}`;
      try {
        const result = await flock.run({ startAgent: scenario.startAgent, input: scenario.input, runId });
        workflowId = result.temporal.workflowId;
      } catch {
        // failing scenarios are recorded too: their failure path must replay as well
      }
      await client.workflow
        .getHandle(workflowId)
        .result()
        .catch(() => undefined);
      // every run of the chain, oldest first
      const chain: string[] = [];
      for await (const info of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) chain.push(`${info.startTime.getTime()} ${info.runId}`);
      const runIds = chain.sort().map((entry) => entry.split(' ')[1]);
      for (const [index, runId] of runIds.entries()) {
        // the CLI writes the proto3 JSON form that Worker.runReplayHistory reads back
        const json = execFileSync(
          server.cliPath,
          ['workflow', 'show', '--workflow-id', workflowId, '--run-id', runId, '--address', server.address, '--namespace', server.namespace, '--output', 'json'],
          { encoding: 'utf8' },
        );
        const history = JSON.parse(json) as { events: unknown[] };
        // v<version>.<patches applied>: histories of every patch level must keep replaying
        const suffix = runIds.length > 1 ? `-run${index + 1}` : '';
        const file = path.join(outDir, `v${LATEST_WORKFLOW_VERSION}.${PATCHES_BY_VERSION[LATEST_WORKFLOW_VERSION].length}-${slug}${suffix}.json`);
        writeFileSync(file, JSON.stringify({ workflowId, history }, null, 1) + '\n');
        process.stdout.write(`recorded ${path.relative(process.cwd(), file)} (${history.events.length} events)\n`);
      }
    }
  } finally {
    await connection.close();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
