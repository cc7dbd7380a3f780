/**
 * The README's main job: run the example Flock durably on Temporal.
 * Uses TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE) when set; otherwise starts
 * a Temporal dev server. An in-process worker hosts the agents; each step is
 * printed as it completes, then the report and the run's Web UI link.
 * With OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* variables) set, the
 * run's spans (this script's call, workflow, agent steps, tool calls) are
 * exported over OTLP and the trace id is printed.
 */
import { createCorpusReportFlock, exampleCorpusPath } from '@flock-ts/examples';
import { setupTelemetry, withSpan } from '@flock-ts/telemetry';
import '@flock-ts/temporal';
import type { TemporalRunResult } from '@flock-ts/temporal';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import path from 'node:path';
import { defaultCacheDir, startDevServer, type DevServer } from '../src';
import { FLOCK_DEV_SEARCH_ATTRIBUTES } from '../src/lib/flock-search-attributes';

async function main(): Promise<void> {
  // before the worker is created: it hands the workflow's spans to this setup
  const telemetry = setupTelemetry({ serviceName: 'flock-demo' });
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const external = process.env['TEMPORAL_ADDRESS'];
  let server: DevServer | undefined;
  if (!external) {
    process.stdout.write('Starting a Temporal dev server...\n');
    server = await startDevServer({
      namespace: 'default',
      dbFilename: path.join(defaultCacheDir(), 'demo.db'),
      searchAttributes: { ...FLOCK_DEV_SEARCH_ATTRIBUTES },
    });
    if (server.uiUrl) process.env['TEMPORAL_UI_URL'] = server.uiUrl;
  }
  const address = external ?? server!.address;
  const namespace = process.env['TEMPORAL_NAMESPACE'] ?? server?.namespace ?? 'default';
  process.stdout.write(`Temporal: ${address} (namespace ${namespace})${server?.uiUrl ? `, Web UI ${server.uiUrl}` : ''}\n\n`);

  try {
    const flock = createCorpusReportFlock({
      enableTemporal: true,
      temporalStartInProcessWorker: true,
      temporalConfig: { serverUrl: address, namespace, taskQueue: 'flock-demo' },
    });
    process.stdout.write(`Running flock "${flock.name}" on ${exampleCorpusPath}\n`);
    const started = Date.now();
    let traceId = '';
    const result = (await withSpan('flock demo', (span) => {
      traceId = span.spanContext().traceId;
      return flock.run({
        startAgent: 'reader',
        input: { folder: exampleCorpusPath },
        sessionId: `demo-${new Date().toISOString().slice(0, 10)}`,
        onStep: (step) => {
          const ms = Date.parse(step.finishedAt) - Date.parse(step.startedAt);
          process.stdout.write(`  ✓ ${step.agent.padEnd(9)} ${String(ms).padStart(5)} ms  attempt ${step.attempt ?? 1}  -> ${Object.keys(step.output).join(', ')}\n`);
        },
      });
    })) as TemporalRunResult;
    process.stdout.write(`\nDone in ${Date.now() - started} ms: ${result.stepCount} agent steps, each one Temporal activity.\n\n`);
    process.stdout.write(`${String(result.output['report'] ?? JSON.stringify(result.output, null, 2))}\n\n`);
    process.stdout.write(`Workflow id: ${result.temporal.workflowId}\n`);
    process.stdout.write(`Web UI:      ${result.temporal.webUiUrl ?? '(set TEMPORAL_UI_URL to get a link)'}\n`);
    if (telemetry.plan.kind === 'otlp') process.stdout.write(`Trace:       ${traceId} (OTLP ${telemetry.plan.protocol} to ${telemetry.plan.endpoint})\n`);

    if (server && process.stdout.isTTY && process.stdin.isTTY) {
      process.stdout.write('\nThe dev server stays up so you can open the link. Press Ctrl-C to stop it.\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    await telemetry.shutdown();
    await server?.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`\n${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
