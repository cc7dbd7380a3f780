#!/usr/bin/env node
import * as path from 'node:path';
import { parseWorkerArgs, WORKER_USAGE } from './lib/cli';
import { installWorkerObservability, type WorkerObservability } from './lib/observability';
import { runWorker } from './lib/run-worker';
import { WORKFLOW_BUNDLE_FILE } from './lib/workflow-bundle-file';

async function main(): Promise<number> {
  let command;
  try {
    command = parseWorkerArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`flock-worker: ${(error as Error).message}`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(WORKER_USAGE);
    return 0;
  }
  let observability: WorkerObservability;
  try {
    // before any connection: Temporal's runtime (logger, metrics) is installed once per process
    observability = installWorkerObservability({ ...command.options, env: process.env });
  } catch (error) {
    const named = error as { name?: string; message?: string };
    console.error(`flock-worker: ${named.name === 'TelemetryConfigError' ? named.message : ((error as Error)?.stack ?? String(error))}`);
    return named.name === 'TelemetryConfigError' ? 2 : 1;
  }
  const log = observability.log;
  for (const line of observability.describe()) log(line);
  try {
    await runWorker(command.options, {
      env: process.env,
      cwd: process.cwd(),
      log,
      // loaded only when no --flock is given: the examples bring the LLM SDKs with them
      defaultFlocks: () => {
        const { createCollatzFlock, createCorpusReportFlock } = require('@flock-ts/examples') as typeof import('@flock-ts/examples');
        return [createCorpusReportFlock(), createCollatzFlock()];
      },
      shippedBundlePath: path.join(__dirname, WORKFLOW_BUNDLE_FILE),
      // exported traces want the workflow spans: the traced bundle variant
      tracing: observability.telemetry.enabled,
    });
    return 0;
  } catch (error) {
    const named = error as { name?: string; code?: string; message?: string };
    const known = named.name === 'FlockModuleError' || named.name === 'CliUsageError' || named.name === 'PayloadCodecError';
    console.error(`flock-worker: ${known ? named.message : ((error as Error)?.stack ?? String(error))}`);
    return named.name === 'CliUsageError' ? 2 : 1;
  } finally {
    await observability.shutdown().catch(() => undefined);
  }
}

// Exit explicitly: native Temporal handles may outlive the workers by a moment.
void main().then((code) => process.exit(code));
