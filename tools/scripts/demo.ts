/**
 * The README's main job: run the example Flock durably on Temporal.
 * `--review` runs the reviewed-brief flock instead: people in the loop (the
 * terminal asks for the editor's choice and the approval; `flockctl
 * respond` from another terminal works too) and the brief streaming live.
 * Uses TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE) when set; otherwise starts
 * a Temporal dev server. An in-process worker hosts the agents; each step is
 * printed as it completes, then the report and the run's Web UI link.
 * With OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* variables) set, the
 * run's spans (this script's call, workflow, agent steps, tool calls) are
 * exported over OTLP and the trace id is printed.
 */
import type { Agent, Flock, FlockRun, FlockRunEvent, WaitingFor } from '@flock-ts/core';
import { REVIEWED_BRIEF_START_AGENT, createCorpusReportFlock, createReviewedBriefFlock, exampleCorpusPath } from '@flock-ts/examples';
import { setupTelemetry, withSpan } from '@flock-ts/telemetry';
import type { TemporalRunInfo } from '@flock-ts/temporal';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { defaultCacheDir, startDevServer, type DevServer } from '../src';
import { FLOCK_DEV_SEARCH_ATTRIBUTES } from '../src/lib/flock-search-attributes';
import { WEB_UI_UNKNOWN, temporal } from '@flock-ts/temporal';

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
    const review = process.argv.includes('--review');
    const onTemporal = {
      executor: temporal(),
      temporalStartInProcessWorker: true,
      temporalConfig: { serverUrl: address, namespace, taskQueue: 'flock-demo' },
    };
    // either example flock, on Temporal: its results carry `temporal` (where the run lives)
    const flock: Flock<Agent, { temporal: TemporalRunInfo }> = review ? createReviewedBriefFlock(onTemporal) : createCorpusReportFlock(onTemporal);
    const request = review
      ? { startAgent: REVIEWED_BRIEF_START_AGENT, input: { topic: 'tides' } }
      : { startAgent: 'reader', input: { folder: exampleCorpusPath }, sessionId: `demo-${new Date().toISOString().slice(0, 10)}` };
    process.stdout.write(`Running flock "${flock.name}"${review ? ' (people in the loop)' : ` on ${exampleCorpusPath}`}\n`);
    const started = Date.now();
    let traceId = '';
    const result = await withSpan('flock demo', async (span) => {
      traceId = span.spanContext().traceId;
      const run = await flock.start(request);
      process.stdout.write(`Workflow id: ${run.id}  (follow it from another terminal: flockctl follow ${run.id})\n\n`);
      await follow(run);
      return run.result();
    });
    process.stdout.write(`\nDone in ${Date.now() - started} ms: ${result.stepCount} agent steps, each one Temporal activity.\n\n`);
    const text = result.output['report'] ?? result.output['brief'];
    process.stdout.write(`${String(text ?? JSON.stringify(result.output, null, 2))}\n\n`);
    process.stdout.write(`Workflow id: ${result.temporal.workflowId}\n`);
    process.stdout.write(`Web UI:      ${result.temporal.webUiUrl ?? WEB_UI_UNKNOWN}\n`);
    if (telemetry.plan.kind === 'otlp') process.stdout.write(`Trace:       ${traceId} (OTLP ${telemetry.plan.protocol} to ${telemetry.plan.endpoint})\n`);

    if (server && process.stdout.isTTY && process.stdin.isTTY) {
      process.stdout.write('\nThe dev server stays up so you can open the link. Press Ctrl-C to stop it.\n');
      await untilStopSignal();
      process.stdout.write('\nStopping the Temporal dev server...\n');
    }
  } finally {
    await telemetry.shutdown();
    if (server) {
      await server.stop();
      process.stdout.write('Temporal dev server stopped.\n');
    }
  }
}

/**
 * Resolves on the first SIGINT or SIGTERM. Signal listeners alone do not keep
 * Node running (the dev server's process is unref'd and the worker has
 * stopped), so a timer does until then. The listeners stay for the rest of
 * the process: one Ctrl-C reaches npm, start.mjs and this process, and the
 * first two forward it here too; without a listener a repeat would end this
 * process (process-cleanup re-raises it) before the dev server is stopped.
 */
function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 60_000);
    const onSignal = (signal: NodeJS.Signals) => {
      clearInterval(keepAlive);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Prints the run's events as they happen; answers what it waits for from the terminal. */
async function follow(run: FlockRun): Promise<void> {
  let streaming = false;
  const endLine = () => {
    if (streaming) process.stdout.write('\n');
    streaming = false;
  };
  for await (const event of run.events()) {
    if (event.type === 'text-delta') {
      if (!streaming) process.stdout.write(`    ${event.agent} > `);
      streaming = true;
      process.stdout.write(event.delta);
      continue;
    }
    endLine();
    const line = describeEvent(event);
    if (line) process.stdout.write(`${line}\n`);
    if (event.type === 'waiting') void answer(run, event.waitingFor);
  }
  endLine();
}

function describeEvent(event: FlockRunEvent): string | undefined {
  switch (event.type) {
    case 'step-started':
      return `  … ${event.agent} (step ${event.step})`;
    case 'step-completed': {
      const { record } = event;
      const ms = Date.parse(record.finishedAt) - Date.parse(record.startedAt);
      return `  ✓ ${record.agent.padEnd(9)} ${String(ms).padStart(5)} ms  attempt ${record.attempt ?? 1}  -> ${Object.keys(record.output).join(', ')}`;
    }
    case 'waiting':
      return `  ⏸ waiting for ${event.waitingFor.kind === 'input' ? 'input' : 'approval'}: ${event.waitingFor.prompt ?? event.waitingFor.agent}`;
    case 'response':
      return `  ↩ ${event.kind === 'input' ? 'input received' : event.approved ? 'approved' : `rejected${event.comment ? `: ${event.comment}` : ''}`}${event.by ? ` by ${event.by}` : ''}`;
    case 'paused':
      return `  ⏸ paused${event.reason ? `: ${event.reason}` : ''}`;
    case 'resumed':
      return '  ▶ resumed';
    case 'run-failed':
      return `  ✗ ${event.code}: ${event.message}`;
    default:
      return undefined;
  }
}

/** Asks in the terminal; without one, answers as a scripted editor would (and says so). */
async function answer(run: FlockRun, wait: WaitingFor): Promise<void> {
  const respond = `flockctl respond ${run.id}`;
  if (!process.stdin.isTTY) {
    process.stdout.write(`    (no terminal: answering as the demo editor; from another terminal: ${respond} ${wait.kind === 'input' ? "--input '<json>'" : '--approve'})\n`);
    await run.send(wait.kind === 'input' ? { output: { angle: 'the moon', audience: 'newcomers' }, by: 'demo' } : { approved: true, by: 'demo' }).catch(() => undefined);
    return;
  }
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    for (;;) {
      const response =
        wait.kind === 'input'
          ? {
              output: {
                angle: (await terminal.question('    angle (e.g. "the moon"): ')).trim(),
                audience: (await terminal.question('    audience (experts | newcomers): ')).trim(),
              },
              by: 'terminal',
            }
          : await approval(terminal);
      try {
        await run.send(response);
        return;
      } catch (error) {
        // refused by the workflow's validator (or answered from elsewhere meanwhile)
        process.stdout.write(`    ${(error as Error).message}\n`);
        if ((await run.status()).waitingFor?.step !== wait.step) return;
      }
    }
  } finally {
    terminal.close();
  }
}

async function approval(terminal: ReturnType<typeof createInterface>) {
  const verdict = (await terminal.question('    approve? [y/N] ')).trim().toLowerCase();
  if (verdict.startsWith('y')) return { approved: true, by: 'terminal' };
  return { approved: false, comment: (await terminal.question('    what should change? ')).trim() || 'no comment', by: 'terminal' };
}

main().catch((error) => {
  process.stderr.write(`\n${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
